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

    private readonly Totals<(string Model, string Team, string Feature, string UsageSource)> _costs = new(
        maximumSeries,
        static k => (CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue, k.UsageSource),
        static k => new Total(
            new("gen_ai.request.model", k.Model),
            new(CostGovernanceTelemetry.TeamTag, k.Team),
            new(CostGovernanceTelemetry.FeatureTag, k.Feature),
            new(CostGovernanceTelemetry.UsageSourceAttribute, k.UsageSource)));

    private readonly Totals<(string Decision, string LimitKind, string Team, string Feature)> _decisions = new(
        maximumSeries,
        static k => (k.Decision, k.LimitKind, CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue),
        static k => new Total(
            new(CostGovernanceTelemetry.DecisionAttribute, k.Decision),
            new(CostGovernanceTelemetry.LimitKindAttribute, k.LimitKind),
            new(CostGovernanceTelemetry.TeamTag, k.Team),
            new(CostGovernanceTelemetry.FeatureTag, k.Feature)));

    /// <summary>The totals the library's counters report.</summary>
    public static CallCounters Shared { get; } = new(DefaultMaximumSeries);

    /// <summary>Gets the most totals each counter keeps before further series are booked under <see cref="CostGovernanceTelemetry.OtherValue"/>.</summary>
    public int MaximumSeries { get; } = maximumSeries;

    /// <summary>The cost total of one series: model, team, feature (folded) and usage source.</summary>
    public Total Cost(MetricSeries.Folded series, CostSource usage) =>
        _costs.Find((series.Model, series.Team, series.Feature, RecordNames.Name(usage)));

    /// <summary>The decision count of one series: decision, limit kind (<c>none</c> when no ceiling was involved), team and feature.</summary>
    public Total Decision(MetricSeries.Folded series, BudgetDecision decision, BudgetLimitKind? kind) =>
        _decisions.Find((RecordNames.Name(decision), kind is { } k ? RecordNames.Name(k) : "none", series.Team, series.Feature));

    /// <summary>What the cost counter reports when collected: one measurement per series.</summary>
    public IEnumerable<Measurement<double>> ObserveCosts()
    {
        foreach (Total total in _costs.All)
        {
            yield return new Measurement<double>(total.Sum, total.Tags);
        }
    }

    /// <summary>What the decisions counter reports when collected: one measurement per series.</summary>
    public IEnumerable<Measurement<long>> ObserveDecisions()
    {
        foreach (Total total in _decisions.All)
        {
            yield return new Measurement<long>(total.Count, total.Tags);
        }
    }

    /// <summary>
    /// One counter's totals by series, at most <paramref name="maximum"/> of them (about: racing callers may add a few
    /// more); a series beyond is found under the key <paramref name="overflow"/> makes of it.
    /// </summary>
    private sealed class Totals<TKey>(int maximum, Func<TKey, TKey> overflow, Func<TKey, Total> create)
        where TKey : notnull
    {
        private readonly ConcurrentDictionary<TKey, Total> _totals = new();

        // Counted here: ConcurrentDictionary.Count takes every lock, and a call of an overflowing series asks each time.
        private int _count;

        public ICollection<Total> All => _totals.Values;

        public Total Find(TKey key)
        {
            if (_totals.TryGetValue(key, out Total? total))
            {
                return total;
            }

            if (Volatile.Read(ref _count) >= maximum)
            {
                key = overflow(key);
                if (_totals.TryGetValue(key, out total))
                {
                    return total;
                }
            }

            Total created = create(key);
            if (_totals.TryAdd(key, created))
            {
                Interlocked.Increment(ref _count);
                return created;
            }

            return _totals[key];
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
