namespace AiCostGuard;

/// <summary>
/// A GPU pool's cost over a period, allocated to its consumers by their token share of its capacity, and the part no
/// call used (idle).
/// </summary>
/// <param name="Pool">The pool's name.</param>
/// <param name="Start">The first day of the period (UTC).</param>
/// <param name="End">The day after the period.</param>
/// <param name="Cost">What the pool cost over the period: <see cref="GpuPool.CostPerHour"/> × its hours, in US dollars.</param>
/// <param name="CapacityTokens">The tokens the pool could have processed over the period.</param>
/// <param name="Consumers">The consumers, by allocated cost, highest first.</param>
/// <param name="Idle">The cost not covered by calls, in US dollars; <see cref="Cost"/> = Σ consumer cost + idle, exactly.</param>
public sealed record GpuPoolAllocation(string Pool, DateOnly Start, DateOnly End, decimal Cost, decimal CapacityTokens, IReadOnlyList<GpuPoolConsumer> Consumers, decimal Idle)
{
    /// <summary>Gets the share of the capacity the calls used, from 0 to 1.</summary>
    public decimal Utilization => Cost == 0 ? 0 : decimal.Round((Cost - Idle) / Cost, 6);

    /// <summary>Allocates each pool's cost over the days of the calls to its models.</summary>
    /// <param name="calls">The call records; refused calls are left out.</param>
    /// <param name="pools">The pools; <see cref="GpuPool.Validate"/> must find no problem.</param>
    /// <param name="by">The dimensions a consumer is keyed by: a combination of <see cref="ReportDimensions.Team"/>, <see cref="ReportDimensions.Feature"/> and <see cref="ReportDimensions.Model"/>.</param>
    /// <returns>One allocation per pool with calls, in the order of <paramref name="pools"/>.</returns>
    /// <remarks>
    /// The period runs from the first to the last UTC day with a call to the pool's models, whole days. A consumer is
    /// allocated its tokens × <see cref="GpuPool.CostPerToken"/> — what its calls are charged at call time with the pool in
    /// <see cref="CostGovernanceOptions.GpuPools"/> — and the rest is idle. Calls that add up to more than the capacity
    /// (the capacity was set too low) share the whole cost by tokens, rounded to the micro-dollar, with no idle.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The pools are invalid; the message lists every problem.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> names the day.</exception>
    public static IReadOnlyList<GpuPoolAllocation> Create(IEnumerable<CostRecord> calls, IReadOnlyList<GpuPool> pools, ReportDimensions by = ReportDimensions.Team)
    {
        ArgumentNullException.ThrowIfNull(calls);
        IReadOnlyList<string> problems = GpuPool.Validate(pools);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid GPU pools: " + string.Join(" ", problems), nameof(pools));
        }

        if ((by & ReportDimensions.Day) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Consumers are keyed by Team, Feature and Model; the pool's period covers the days.");
        }

        string[] columns = CostReport.ColumnNames(by);
        CostRecord[] sent = [.. calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        var allocations = new List<GpuPoolAllocation>();
        foreach (GpuPool pool in pools)
        {
            var models = new HashSet<string>(pool.Models, StringComparer.OrdinalIgnoreCase);
            CostRecord[] served = [.. sent.Where(c => c.ModelId is { } m && models.Contains(m))];
            if (served.Length == 0)
            {
                continue;
            }

            DateOnly start = served.Min(c => DailySpendSeries.Day(c.Timestamp));
            DateOnly end = served.Max(c => DailySpendSeries.Day(c.Timestamp)).AddDays(1);
            int hours = (end.DayNumber - start.DayNumber) * 24;
            decimal cost = pool.CostPerHour * hours;
            decimal capacity = (decimal)pool.CapacityTokensPerSecond * hours * 3600;
            allocations.Add(Allocate(pool, start, end, cost, capacity, served, by, columns));
        }

        return allocations;
    }

    private static GpuPoolAllocation Allocate(GpuPool pool, DateOnly start, DateOnly end, decimal cost, decimal capacity, CostRecord[] served, ReportDimensions by, string[] columns)
    {
        var groups = served
            .GroupBy(c => string.Join('\u001f', CostReport.Key(c, by)), StringComparer.Ordinal)
            .Select(g => (Key: CostReport.Key(g.First(), by), Calls: (long)g.Count(), Tokens: g.Sum(c => c.InputTokens + c.OutputTokens)))
            .ToList();
        long used = groups.Sum(g => g.Tokens);

        // Within the capacity a consumer is allocated what its calls were charged at call time (the pool's rate per
        // token); beyond it (or should the rate's last digit tip the sum over the cost), the calls share the whole cost by tokens.
        bool overCapacity = used > capacity || pool.GetCost(used) > cost;
        var consumers = new List<GpuPoolConsumer>(groups.Count);
        decimal allocated = 0m;
        foreach ((string[] key, long calls, long tokens) in groups)
        {
            decimal share = !overCapacity ? pool.GetCost(tokens) : decimal.Round(cost * tokens / used, 6, MidpointRounding.ToZero);
            allocated += share;
            var named = new Dictionary<string, string>(columns.Length, StringComparer.Ordinal);
            for (int i = 0; i < columns.Length; i++)
            {
                named[columns[i]] = key[i];
            }

            consumers.Add(new GpuPoolConsumer(named, calls, tokens, share));
        }

        // Shares are rounded down (the rate per token is), so what they leave is never negative: with the capacity
        // exceeded, that rounding residue goes to the largest consumer so that nothing is idle; otherwise it is idle.
        decimal idle = cost - allocated;
        if (overCapacity && consumers.Count > 0 && idle > 0)
        {
            int largest = consumers.IndexOf(consumers.MaxBy(c => c.Tokens)!);
            consumers[largest] = consumers[largest] with { Cost = consumers[largest].Cost + idle };
            idle = 0m;
        }

        return new GpuPoolAllocation(pool.Name!, start, end, cost, capacity, [.. consumers.OrderByDescending(c => c.Cost).ThenBy(c => string.Join('\u001f', c.Key.Values), StringComparer.Ordinal)], idle);
    }
}
