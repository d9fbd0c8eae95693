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
/// <para>Process-wide, shared by every governed client (<see cref="Shared"/>): a series is one combination of folded tag
/// values, which each client bounds (<see cref="CostTelemetryOptions.MaximumMetricSeries"/>). A process that builds many
/// clients (one per request, say) could still add series without end, so each counter also keeps at most
/// <see cref="MaximumSeries"/> totals and books a call of any further series under
/// <see cref="CostGovernanceTelemetry.OtherValue"/> for model, team and feature. Totals are never removed, so a counter
/// never goes down. Thread-safe.</para>
/// </remarks>
internal sealed class CallCounters(int maximumSeries)
{
    /// <summary>The most totals each counter of <see cref="Shared"/> keeps: far above one client's default of 500 series, a bound on memory rather than a policy.</summary>
    public const int DefaultMaximumSeries = 10_000;

    private readonly ConcurrentDictionary<(string Model, string Team, string Feature, string UsageSource), Total> _costs = new();
    private readonly ConcurrentDictionary<(string Decision, string LimitKind, string Team, string Feature), Total> _decisions = new();

    /// <summary>The totals the library's counters report.</summary>
    public static CallCounters Shared { get; } = new(DefaultMaximumSeries);

    /// <summary>Gets the most totals each counter keeps before further series are booked under <see cref="CostGovernanceTelemetry.OtherValue"/>.</summary>
    public int MaximumSeries { get; } = maximumSeries;

    /// <summary>The cost total of one series: model, team, feature (folded) and usage source.</summary>
    public Total Cost(MetricSeries.Folded series, CostSource usage)
    {
        (string, string, string, string) key = (series.Model, series.Team, series.Feature, RecordNames.Name(usage));
        if (!_costs.TryGetValue(key, out Total? total))
        {
            if (_costs.Count >= MaximumSeries)
            {
                key = (CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue, key.Item4);
            }

            total = _costs.GetOrAdd(key, static k => new Total(
                new("gen_ai.request.model", k.Model),
                new(CostGovernanceTelemetry.TeamTag, k.Team),
                new(CostGovernanceTelemetry.FeatureTag, k.Feature),
                new(CostGovernanceTelemetry.UsageSourceAttribute, k.UsageSource)));
        }

        return total;
    }

    /// <summary>The decision count of one series: decision, limit kind (<c>none</c> when no ceiling was involved), team and feature.</summary>
    public Total Decision(MetricSeries.Folded series, BudgetDecision decision, BudgetLimitKind? kind)
    {
        (string, string, string, string) key = (RecordNames.Name(decision), kind is { } k ? RecordNames.Name(k) : "none", series.Team, series.Feature);
        if (!_decisions.TryGetValue(key, out Total? total))
        {
            if (_decisions.Count >= MaximumSeries)
            {
                key = (key.Item1, key.Item2, CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue);
            }

            total = _decisions.GetOrAdd(key, static k => new Total(
                new(CostGovernanceTelemetry.DecisionAttribute, k.Decision),
                new(CostGovernanceTelemetry.LimitKindAttribute, k.LimitKind),
                new(CostGovernanceTelemetry.TeamTag, k.Team),
                new(CostGovernanceTelemetry.FeatureTag, k.Feature)));
        }

        return total;
    }

    /// <summary>What the cost counter reports when collected: one measurement per series.</summary>
    public IEnumerable<Measurement<double>> ObserveCosts()
    {
        foreach (Total total in _costs.Values)
        {
            yield return new Measurement<double>(total.Sum, total.Tags);
        }
    }

    /// <summary>What the decisions counter reports when collected: one measurement per series.</summary>
    public IEnumerable<Measurement<long>> ObserveDecisions()
    {
        foreach (Total total in _decisions.Values)
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
