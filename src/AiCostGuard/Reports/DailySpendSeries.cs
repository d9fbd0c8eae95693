namespace AiCostGuard;

/// <summary>The spend of one group, day by day (UTC days), from the group's first call to the day before an end date.</summary>
internal sealed class DailySpendSeries
{
    private DailySpendSeries(IReadOnlyDictionary<string, string> key, string sortKey, DateOnly start, decimal[] days)
    {
        Key = key;
        SortKey = sortKey;
        Start = start;
        Days = days;
    }

    /// <summary>Gets the group's value for each dimension grouped by.</summary>
    public IReadOnlyDictionary<string, string> Key { get; }

    /// <summary>Gets a key that orders groups the way <see cref="CostReport"/> orders its rows.</summary>
    public string SortKey { get; }

    /// <summary>Gets the day of <see cref="Days"/>[0].</summary>
    public DateOnly Start { get; }

    /// <summary>Gets the cost of each day, zero on days without a call.</summary>
    public decimal[] Days { get; }

    /// <summary>Gets the day after the last of <see cref="Days"/>.</summary>
    public DateOnly End => Start.AddDays(Days.Length);

    public static DateOnly Day(DateTimeOffset timestamp) => DateOnly.FromDateTime(timestamp.UtcDateTime);

    /// <summary>Groups the calls sent before <paramref name="end"/> by <paramref name="by"/>; refused calls cost nothing and are left out.</summary>
    public static List<DailySpendSeries> Build(IEnumerable<CostRecord> calls, ReportDimensions by, DateOnly end)
    {
        string[] columns = CostReport.ColumnNames(by);
        return Build(calls, c => CostReport.Key(c, by), columns, end);
    }

    /// <summary>Groups the calls sent before <paramref name="end"/> by the key <paramref name="key"/> gives each, named by <paramref name="columns"/>.</summary>
    public static List<DailySpendSeries> Build(IEnumerable<CostRecord> calls, Func<CostRecord, string[]> key, string[] columns, DateOnly end)
    {
        var groups = new Dictionary<string, (string[] Key, List<(DateOnly Day, decimal Cost)> Costs)>(StringComparer.Ordinal);
        foreach (CostRecord c in calls)
        {
            DateOnly day = Day(c.Timestamp);
            if (c.Outcome == CallOutcome.NotSent || day >= end)
            {
                continue;
            }

            string[] values = key(c);
            string sortKey = string.Join('\u001f', values);
            if (!groups.TryGetValue(sortKey, out var group))
            {
                group = (values, []);
                groups[sortKey] = group;
            }

            group.Costs.Add((day, c.Cost));
        }

        var series = new List<DailySpendSeries>(groups.Count);
        foreach ((string sortKey, (string[] values, List<(DateOnly Day, decimal Cost)> costs)) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            DateOnly start = costs.Min(c => c.Day);
            var days = new decimal[end.DayNumber - start.DayNumber];
            foreach ((DateOnly day, decimal cost) in costs)
            {
                days[day.DayNumber - start.DayNumber] += cost;
            }

            var named = new Dictionary<string, string>(columns.Length, StringComparer.Ordinal);
            for (int i = 0; i < columns.Length; i++)
            {
                named[columns[i]] = values[i];
            }

            series.Add(new DailySpendSeries(named, sortKey, start, days));
        }

        return series;
    }
}
