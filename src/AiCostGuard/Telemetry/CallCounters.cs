using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AiCostGuard;

/// <summary>
/// The running totals behind the <c>aicostguard.cost</c> and <c>aicostguard.budget.decisions</c> counters, added to
/// in the process and read by the OpenTelemetry SDK when it collects.
/// </summary>
/// <remarks>
/// <para>Why pre-aggregated: a measurement handed to the SDK costs a search of its tag set per instrument per call (about
/// as much as the rest of a call's telemetry together), while these totals are found once per series and then cost an
/// atomic add. The two instruments are observable counters: monotonic sums, exported like the counters they replace,
/// cumulative since the process started.</para>
/// <para>Process-wide, shared by every governed client: a series is one combination of folded tag values, so the number
/// of totals is bounded by the clients' series caps (<see cref="CostTelemetryOptions.MaximumMetricSeries"/>). Totals are
/// never removed, so a counter never goes down. Thread-safe.</para>
/// </remarks>
internal static class CallCounters
{
    private static readonly ConcurrentDictionary<(string Model, string Team, string Feature, string UsageSource), Total> Costs = new();
    private static readonly ConcurrentDictionary<(string Decision, string LimitKind, string Team, string Feature), Total> Decisions = new();

    /// <summary>The cost total of one series: model, team, feature (folded) and usage source.</summary>
    public static Total Cost(MetricSeries.Folded series, CostSource usage) => Costs.GetOrAdd(
        (series.Model, series.Team, series.Feature, RecordNames.Name(usage)),
        static key => new Total(
            new("gen_ai.request.model", key.Model),
            new(CostGovernanceTelemetry.TeamTag, key.Team),
            new(CostGovernanceTelemetry.FeatureTag, key.Feature),
            new(CostGovernanceTelemetry.UsageSourceAttribute, key.UsageSource)));

    /// <summary>The decision count of one series: decision, limit kind (<c>none</c> when no ceiling was involved), team and feature.</summary>
    public static Total Decision(MetricSeries.Folded series, BudgetDecision decision, BudgetLimitKind? kind) => Decisions.GetOrAdd(
        (RecordNames.Name(decision), kind is { } k ? RecordNames.Name(k) : "none", series.Team, series.Feature),
        static key => new Total(
            new(CostGovernanceTelemetry.DecisionAttribute, key.Decision),
            new(CostGovernanceTelemetry.LimitKindAttribute, key.LimitKind),
            new(CostGovernanceTelemetry.TeamTag, key.Team),
            new(CostGovernanceTelemetry.FeatureTag, key.Feature)));

    /// <summary>What the cost counter reports when collected: one measurement per series.</summary>
    public static IEnumerable<Measurement<double>> ObserveCosts()
    {
        foreach (Total total in Costs.Values)
        {
            yield return new Measurement<double>(total.Sum, total.Tags);
        }
    }

    /// <summary>What the decisions counter reports when collected: one measurement per series.</summary>
    public static IEnumerable<Measurement<long>> ObserveDecisions()
    {
        foreach (Total total in Decisions.Values)
        {
            yield return new Measurement<long>(total.Count, total.Tags);
        }
    }

    /// <summary>A running sum (cost) or count (decisions) and the tags it is reported under.</summary>
    internal sealed class Total(params KeyValuePair<string, object?>[] tags)
    {
        private double _sum;
        private long _count;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public double Sum => Volatile.Read(ref _sum);

        public long Count => Interlocked.Read(ref _count);

        /// <summary>Adds <paramref name="value"/> to the sum; lock-free, so callers on many threads never wait for one another.</summary>
        public void Add(double value)
        {
            double seen = Volatile.Read(ref _sum);
            while (true)
            {
                double before = Interlocked.CompareExchange(ref _sum, seen + value, seen);
                if (BitConverter.DoubleToInt64Bits(before) == BitConverter.DoubleToInt64Bits(seen))
                {
                    return;
                }

                seen = before;
            }
        }

        /// <summary>Adds one to the count.</summary>
        public void Increment() => Interlocked.Increment(ref _count);
    }
}
