namespace AiCostGuard;

/// <summary>A day whose spend departs from its group's robust, weekly-seasonal baseline (<see cref="SpendAnomalyDetector"/>).</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="Key">The group's value for each dimension grouped by (<c>team</c>, <c>feature</c>, <c>model</c>); <c>-</c> for an unset value. Empty when not grouped.</param>
/// <param name="Cost">The day's spend, in US dollars.</param>
/// <param name="Expected">The spend the baseline expected, in US dollars.</param>
/// <param name="Score">How far <paramref name="Cost"/> is from <paramref name="Expected"/>, in robust standard deviations; above or below.</param>
public sealed record SpendAnomaly(DateOnly Date, IReadOnlyDictionary<string, string> Key, decimal Cost, decimal Expected, double Score)
{
    /// <summary>Finds the anomalous days of every group, each day scored against the weeks before it.</summary>
    /// <param name="calls">The call records; refused calls cost nothing and are left out.</param>
    /// <param name="by">The dimensions to group by: a combination of <see cref="ReportDimensions.Team"/>, <see cref="ReportDimensions.Feature"/> and <see cref="ReportDimensions.Model"/>.</param>
    /// <param name="detector">The detector; the default scores days against the last four weeks, weekly seasonal, from a score of <see cref="SpendAnomalyDetector.DefaultThreshold"/>.</param>
    /// <returns>The anomalies, highest score first (then by day and key).</returns>
    /// <remarks>A group's days are scored from its first day with three weeks of history before it (<see cref="SpendAnomalyDetector.MinimumHistory"/>) (days without a call count as zero) to its last day, which counts as complete: a ledger read in the middle of a day may show that day as a drop.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> names the day.</exception>
    public static IReadOnlyList<SpendAnomaly> Find(IEnumerable<CostRecord> calls, ReportDimensions by = ReportDimensions.None, SpendAnomalyDetector? detector = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if ((by & ~(ReportDimensions.Team | ReportDimensions.Feature | ReportDimensions.Model)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Anomalies group by a combination of Team, Feature and Model; every group is read day by day.");
        }

        detector ??= new SpendAnomalyDetector();
        CostRecord[] sent = [.. calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        if (sent.Length == 0)
        {
            return [];
        }

        var anomalies = new List<(SpendAnomaly Anomaly, string SortKey)>();
        foreach (DailySpendSeries series in DailySpendSeries.Build(sent, by, SpendForecast.LastDay(sent, nameof(calls)).AddDays(1)))
        {
            ReadOnlySpan<decimal> days = series.Days;
            for (int d = detector.MinimumHistory; d < days.Length; d++)
            {
                if (detector.TryScore(days[..d], days[d], out decimal expected, out double score) && detector.IsAnomaly(score))
                {
                    anomalies.Add((new SpendAnomaly(series.Start.AddDays(d), series.Key, days[d], expected, score), series.SortKey));
                }
            }
        }

        return [.. anomalies
            .OrderByDescending(a => a.Anomaly.Score)
            .ThenBy(a => a.Anomaly.Date)
            .ThenBy(a => a.SortKey, StringComparer.Ordinal)
            .Select(a => a.Anomaly)];
    }
}
