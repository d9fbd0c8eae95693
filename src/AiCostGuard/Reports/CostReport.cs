namespace AiCostGuard;

/// <summary>
/// Cost, cost per run and cost per successful outcome, grouped by any of tenant, team, feature, user, cost center,
/// provider, model and day.
/// </summary>
/// <remarks>
/// An outcome belongs to a run (<see cref="OutcomeRecord.ScopeId"/>) and counts in every group where that run's calls
/// appear: a run that used two models counts its success under each, with each model's share of the cost, so the
/// cost per success of a model reads "what this model costs per successful run". Immutable and thread-safe.
/// </remarks>
public sealed class CostReport
{
    private CostReport(ReportDimensions by, IReadOnlyList<string> columns, IReadOnlyList<CostReportRow> rows, CostReportRow total)
    {
        By = by;
        Columns = columns;
        Rows = rows;
        Total = total;
    }

    /// <summary>Gets the dimensions grouped by.</summary>
    public ReportDimensions By { get; }

    /// <summary>
    /// Gets the names of the key columns grouped by, in this order: <c>tenant</c>, <c>team</c>, <c>feature</c>,
    /// <c>user</c>, <c>cost_center</c>, <c>provider</c>, <c>model</c>, <c>day</c>.
    /// </summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Gets the groups, ordered by their key.</summary>
    public IReadOnlyList<CostReportRow> Rows { get; }

    /// <summary>Gets the total over all groups.</summary>
    public CostReportRow Total { get; }

    /// <summary>Builds a report.</summary>
    /// <param name="calls">The call records; refused calls (<see cref="CallOutcome.NotSent"/>) are left out.</param>
    /// <param name="outcomes">The outcome records.</param>
    /// <param name="by">The dimensions to group by.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> or <paramref name="outcomes"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is not a combination of dimensions.</exception>
    /// <exception cref="OverflowException">A group's token counts exceed <see cref="long.MaxValue"/> or its cost exceeds
    /// <see cref="decimal.MaxValue"/>: the ledger holds counts no real call reports, and the report refuses to wrap them.</exception>
    public static CostReport Create(IEnumerable<CostRecord> calls, IEnumerable<OutcomeRecord> outcomes, ReportDimensions by)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(outcomes);
        ReportDimensions all = 0;
        foreach ((ReportDimensions dimension, _) in Dimensions)
        {
            all |= dimension;
        }

        if ((by & ~all) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Group by a combination of Tenant, Team, Feature, User, CostCenter, Provider, Model and Day.");
        }

        string[] columns = ColumnNames(by);

        var successes = new Dictionary<string, (int Count, decimal Value)>(StringComparer.Ordinal);
        foreach (OutcomeRecord outcome in outcomes)
        {
            if (outcome.IsSuccess && outcome.ScopeId is { } id)
            {
                successes.TryGetValue(id, out (int Count, decimal Value) s);
                successes[id] = (s.Count + 1, s.Value + (outcome.Value ?? 0m));
            }
        }

        CostRecord[] sent = [.. calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        List<CostReportRow> rows = [.. sent
            .GroupBy(c => string.Join('\u001f', Key(c, by)), StringComparer.Ordinal)
            .Select(g => Row(Key(g.First(), by), g, successes))
            .OrderBy(r => string.Join('\u001f', r.Key), StringComparer.Ordinal)];
        return new CostReport(by, columns, rows, Row([], sent, successes));
    }

    // The key columns, in report order: one table, read by the column names, the validation and the keys.
    private static readonly (ReportDimensions Dimension, string Column)[] Dimensions =
    [
        (ReportDimensions.Tenant, "tenant"),
        (ReportDimensions.Team, "team"),
        (ReportDimensions.Feature, "feature"),
        (ReportDimensions.User, "user"),
        (ReportDimensions.CostCenter, "cost_center"),
        (ReportDimensions.Provider, "provider"),
        (ReportDimensions.Model, "model"),
        (ReportDimensions.Day, "day"),
    ];

    /// <summary>Gets the names of the dimensions of <paramref name="by"/>, in report order.</summary>
    internal static string[] ColumnNames(ReportDimensions by) => [.. Dimensions.Where(d => (by & d.Dimension) != 0).Select(d => d.Column)];

    /// <summary>Gets a call's value for each dimension of <paramref name="by"/>, in report order; <c>-</c> for an unset value.</summary>
    internal static string[] Key(in CostRecord c, ReportDimensions by)
    {
        var key = new List<string>(Dimensions.Length);
        foreach ((ReportDimensions dimension, _) in Dimensions)
        {
            if ((by & dimension) != 0)
            {
                key.Add(KeyValue(c, dimension) ?? "-");
            }
        }

        return [.. key];
    }

    private static string? KeyValue(in CostRecord c, ReportDimensions dimension) => dimension switch
    {
        ReportDimensions.Tenant => c.Attribution?.Tenant,
        ReportDimensions.Team => c.Attribution?.Team,
        ReportDimensions.Feature => c.Attribution?.Feature,
        ReportDimensions.User => c.Attribution?.User,
        ReportDimensions.CostCenter => c.Attribution?.CostCenter,
        ReportDimensions.Provider => string.IsNullOrEmpty(c.Provider) ? null : c.Provider,
        ReportDimensions.Model => c.ModelId,
        ReportDimensions.Day => c.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a single report dimension."),
    };

    private static CostReportRow Row(string[] key, IEnumerable<CostRecord> calls, Dictionary<string, (int Count, decimal Value)> successes)
    {
        long count = 0, input = 0, output = 0;
        decimal cost = 0m, runCost = 0m, avoided = 0m;
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (CostRecord c in calls)
        {
            count++;
            try
            {
                input = checked(input + c.InputTokens);
                output = checked(output + c.OutputTokens);
                cost += c.Cost;
                avoided += c.AvoidedCost ?? 0m;
                if (c.ScopeId is { } id)
                {
                    runs.Add(id);
                    runCost += c.Cost;
                }
            }
            catch (OverflowException)
            {
                string group = key.Length == 0 ? "the total" : "the group " + string.Join(", ", key);
                throw new OverflowException($"The token counts or the cost of {group} overflow at call {count} (model {c.ModelId ?? "-"}, {c.InputTokens} input and {c.OutputTokens} output tokens, cost {c.Cost.ToString(System.Globalization.CultureInfo.InvariantCulture)}): the ledger holds amounts no real call reports.");
            }
        }

        int won = 0;
        decimal value = 0m;
        foreach (string run in runs)
        {
            if (successes.TryGetValue(run, out (int Count, decimal Value) s))
            {
                won += s.Count;
                value += s.Value;
            }
        }

        return new CostReportRow(key, count, input, output, cost, runs.Count, runCost, won, value) { CacheSavings = avoided };
    }
}
