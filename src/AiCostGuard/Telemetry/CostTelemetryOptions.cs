namespace AiCostGuard;

/// <summary>Configures what <see cref="CostGovernanceChatClient"/> reports to OpenTelemetry and how attribution crosses services.</summary>
/// <remarks>
/// <para>Spans and metrics cost nothing while no listener is attached: every piece of work is skipped unless an
/// <c>ActivityListener</c> or <c>MeterListener</c> (such as the OpenTelemetry SDK) subscribes to
/// <see cref="CostGovernanceTelemetry.SourceName"/>.</para>
/// <para>Metric tags are bounded: a team or feature outside its allow-list, or beyond <see cref="MaximumDistinctTagValues"/>
/// distinct values, is tagged <see cref="CostGovernanceTelemetry.OtherValue"/>. Spans and the ledger keep the real value.</para>
/// </remarks>
public sealed class CostTelemetryOptions
{
    /// <summary>Gets the teams that metrics tag by name; empty allows any team, up to <see cref="MaximumDistinctTagValues"/>.</summary>
    public IList<string> MetricTeams { get; } = [];

    /// <summary>Gets the features that metrics tag by name; empty allows any feature, up to <see cref="MaximumDistinctTagValues"/>.</summary>
    public IList<string> MetricFeatures { get; } = [];

    /// <summary>Gets or sets the most distinct values a metric tag (team, feature, model, run name) takes before further ones fold into <see cref="CostGovernanceTelemetry.OtherValue"/>.</summary>
    /// <value>The default value is 100.</value>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int MaximumDistinctTagValues { get; set; } = 100;

    /// <summary>
    /// Gets or sets the most distinct series — combinations of model, team and feature — that each of the library's
    /// metrics records; a call of a further combination is recorded under <see cref="CostGovernanceTelemetry.OtherValue"/>
    /// for all three. Each series is further split only by a few fixed values (usage source; decision and limit kind),
    /// so keep this times those values under the OpenTelemetry SDK's cardinality limit (2,000 points per metric by
    /// default; raise it with a view's <c>CardinalityLimit</c>), beyond which the SDK folds points into its overflow point.
    /// </summary>
    /// <value>The default value is 500: the cost metric then holds at most 1,000 points.</value>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaximumMetricSeries { get; set; } = 500;

    /// <summary>
    /// Gets or sets whether attribution crosses services in W3C baggage: a call fills its unset
    /// <see cref="BaggageDimensions"/> from incoming baggage keys <c>aicostguard.team</c>, <c>aicostguard.feature</c>, …
    /// (values validated by <see cref="AttributionValue"/>; invalid ones are dropped and counted in
    /// <see cref="CostGovernanceTelemetry.BaggageRejectedMetric"/>), and puts its own into the baggage of the outgoing call.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: baggage is neither read nor written.</value>
    public bool EnableBaggage { get; set; }

    /// <summary>Gets or sets the dimensions that may travel in baggage; others are never read from nor written to it.</summary>
    /// <value>The default value is <see cref="AttributionDimensions.Team"/> and <see cref="AttributionDimensions.Feature"/>: the user and tenant stay in the process unless allowed.</value>
    public AttributionDimensions BaggageDimensions { get; set; } = AttributionDimensions.Team | AttributionDimensions.Feature;

    /// <summary>Returns a copy.</summary>
    /// <returns>A copy of these options.</returns>
    public CostTelemetryOptions Clone()
    {
        var copy = new CostTelemetryOptions
        {
            MaximumDistinctTagValues = MaximumDistinctTagValues,
            MaximumMetricSeries = MaximumMetricSeries,
            EnableBaggage = EnableBaggage,
            BaggageDimensions = BaggageDimensions,
        };
        foreach (string team in MetricTeams)
        {
            copy.MetricTeams.Add(team);
        }

        foreach (string feature in MetricFeatures)
        {
            copy.MetricFeatures.Add(feature);
        }

        return copy;
    }
}
