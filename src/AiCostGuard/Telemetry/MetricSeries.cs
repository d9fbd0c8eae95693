using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// Bounds the series of the library's metrics: model, team and feature are each folded (allow-list, distinct-value
/// cap), and the combinations of the three are capped too, since each tag's cap alone still multiplies.
/// </summary>
/// <remarks>
/// Thread-safe. The last call's folding is kept, so a run of calls with the same model and ambient attribution
/// instance folds nothing and allocates nothing.
/// </remarks>
internal sealed class MetricSeries(CostTelemetryOptions options)
{
    private readonly TagValueFolder _models = new(null, options.MaximumDistinctTagValues);
    private readonly TagValueFolder _teams = new(options.MetricTeams, options.MaximumDistinctTagValues);
    private readonly TagValueFolder _features = new(options.MetricFeatures, options.MaximumDistinctTagValues);
    private readonly ConcurrentDictionary<(string, string, string), byte> _seen = new();
    private readonly int _maximum = options.MaximumMetricSeries;
    private readonly Lock _sync = new();
    private volatile Folded? _last;

    /// <summary>The tag values a call of <paramref name="modelId"/> for <paramref name="attribution"/> is recorded under.</summary>
    public Folded Fold(string? modelId, CostAttribution? attribution)
    {
        Folded? last = _last;
        if (last is not null && ReferenceEquals(last.ModelId, modelId) && ReferenceEquals(last.Attribution, attribution))
        {
            return last;
        }

        (string, string, string) series = (_models.Fold(modelId), _teams.Fold(attribution?.Team), _features.Fold(attribution?.Feature));
        if (!_seen.ContainsKey(series))
        {
            lock (_sync)
            {
                if (_seen.Count < _maximum)
                {
                    _seen.TryAdd(series, 0);
                }
                else if (!_seen.ContainsKey(series))
                {
                    series = (CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue, CostGovernanceTelemetry.OtherValue);
                }
            }
        }

        var folded = new Folded(modelId, attribution, series.Item1, series.Item2, series.Item3);
        _last = folded;
        return folded;
    }

    /// <summary>A call's folded metric tag values, with what they were folded from, and the totals of its commonest series.</summary>
    internal sealed class Folded(string? modelId, CostAttribution? attribution, string model, string team, string feature)
    {
        private CallCounters.Total? _reportedCost;
        private CallCounters.Total? _estimatedCost;
        private CallCounters.Total? _allowed;

        public string? ModelId { get; } = modelId;

        public CostAttribution? Attribution { get; } = attribution;

        public string Model { get; } = model;

        public string Team { get; } = team;

        public string Feature { get; } = feature;

        /// <summary>The cost total of these tag values and <paramref name="usage"/>, looked up once per usage source.</summary>
        public CallCounters.Total Cost(CostSource usage) => usage switch
        {
            CostSource.ProviderReported => _reportedCost ??= CallCounters.Shared.Cost(this, usage),
            CostSource.Estimated => _estimatedCost ??= CallCounters.Shared.Cost(this, usage),
            _ => CallCounters.Shared.Cost(this, usage),
        };

        /// <summary>The decision count of these tag values: an allowed call's looked up once, any other each time.</summary>
        public CallCounters.Total Decision(BudgetDecision decision, BudgetLimitKind? kind) =>
            decision == BudgetDecision.Allowed && kind is null ? _allowed ??= CallCounters.Shared.Decision(this, decision, kind) : CallCounters.Shared.Decision(this, decision, kind);
    }
}
