namespace AiCostGuard;

/// <summary>
/// Cost, cost per run and cost per successful outcome, grouped by team, feature, model and day.
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

    /// <summary>Gets the names of the key columns: <c>team</c>, <c>feature</c>, <c>model</c>, <c>day</c>, those grouped by.</summary>
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
    public static CostReport Create(IEnumerable<CostRecord> calls, IEnumerable<OutcomeRecord> outcomes, ReportDimensions by)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(outcomes);
        if ((by & ~(ReportDimensions)0b1111) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Group by a combination of Team, Feature, Model and Day.");
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

    /// <summary>Gets the names of the dimensions of <paramref name="by"/>, in the order Team, Feature, Model, Day.</summary>
    internal static string[] ColumnNames(ReportDimensions by)
    {
        var columns = new List<string>(4);
        if ((by & ReportDimensions.Team) != 0) columns.Add("team");
        if ((by & ReportDimensions.Feature) != 0) columns.Add("feature");
        if ((by & ReportDimensions.Model) != 0) columns.Add("model");
        if ((by & ReportDimensions.Day) != 0) columns.Add("day");
        return [.. columns];
    }

    /// <summary>Gets a call's value for each dimension of <paramref name="by"/>, in the order Team, Feature, Model, Day; <c>-</c> for an unset value.</summary>
    internal static string[] Key(in CostRecord c, ReportDimensions by)
    {
        var key = new List<string>(4);
        if ((by & ReportDimensions.Team) != 0) key.Add(c.Attribution?.Team ?? "-");
        if ((by & ReportDimensions.Feature) != 0) key.Add(c.Attribution?.Feature ?? "-");
        if ((by & ReportDimensions.Model) != 0) key.Add(c.ModelId ?? "-");
        if ((by & ReportDimensions.Day) != 0) key.Add(c.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        return [.. key];
    }

    private static CostReportRow Row(IReadOnlyList<string> key, IEnumerable<CostRecord> calls, Dictionary<string, (int Count, decimal Value)> successes)
    {
        long count = 0, input = 0, output = 0;
        decimal cost = 0m, runCost = 0m;
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (CostRecord c in calls)
        {
            count++;
            input += c.InputTokens;
            output += c.OutputTokens;
            cost += c.Cost;
            if (c.ScopeId is { } id)
            {
                runs.Add(id);
                runCost += c.Cost;
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

        return new CostReportRow(key, count, input, output, cost, runs.Count, runCost, won, value);
    }
}
