using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiCostGuard;

/// <summary>
/// The names under which AiCostGuard reports to OpenTelemetry: one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/>, both named <see cref="SourceName"/>, and the attribute and instrument names they use.
/// </summary>
/// <remarks>
/// <para>Subscribe with <c>AddAiCostGuardInstrumentation()</c> on a <c>TracerProviderBuilder</c> and a
/// <c>MeterProviderBuilder</c>, or with <c>AddSource</c>/<c>AddMeter</c> and these names. Renaming any of them is a breaking change.</para>
/// <para>Cost attributes follow the names proposed for the OpenTelemetry GenAI semantic conventions
/// (<see cref="CostAmountAttribute"/>, <see cref="CostCurrencyAttribute"/>, <see cref="CostSourceAttribute"/>). Span
/// attributes carry a double, as OpenTelemetry attributes do; the ledger keeps the exact <see cref="decimal"/>.</para>
/// <para>No prompt or completion text is ever put on a span, an event or a metric. All members are thread-safe.</para>
/// </remarks>
public static class CostGovernanceTelemetry
{
    /// <summary>The name of the library's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string SourceName = "AiCostGuard";

    /// <summary>The source name of the spans that Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> creates when no name is given.</summary>
    public const string ExtensionsAISourceName = "Experimental.Microsoft.Extensions.AI";

    /// <summary>The span attribute holding the cost of a model call, in <see cref="CostCurrencyAttribute"/>.</summary>
    public const string CostAmountAttribute = "gen_ai.usage.cost.amount";

    /// <summary>The span attribute holding the currency of <see cref="CostAmountAttribute"/>: always <c>USD</c>.</summary>
    public const string CostCurrencyAttribute = "gen_ai.usage.cost.currency";

    /// <summary>
    /// The span attribute holding the cost of a model call (or of every call a span covers) as a number in US dollars,
    /// under the name Langfuse's OpenTelemetry mapper and PostHog read; the same value as <see cref="CostAmountAttribute"/>.
    /// </summary>
    public const string CostAttribute = "gen_ai.usage.cost";

    /// <summary>
    /// The span attribute saying who priced the call: <c>local</c> (this library, from its price catalog and the call's
    /// usage) or <c>unpriced</c> (the model has no price: no amount is set). Which usage was priced is
    /// <see cref="UsageSourceAttribute"/>.
    /// </summary>
    public const string CostSourceAttribute = "gen_ai.usage.cost.source";

    /// <summary>The span attribute and metric tag saying which usage a cost was computed from: <c>provider_reported</c> or <c>estimated</c> (the provider reported none, or not all).</summary>
    public const string UsageSourceAttribute = "aicostguard.usage.source";

    /// <summary>The span attribute counting the model calls whose cost a span carries: more than one where a span covers a whole tool loop.</summary>
    public const string ModelCallsAttribute = "aicostguard.model_calls";

    /// <summary>The metric tag holding a call's team (folded: see <see cref="CostTelemetryOptions"/>).</summary>
    public const string TeamTag = "aicostguard.attribution.team";

    /// <summary>The metric tag holding a call's feature (folded: see <see cref="CostTelemetryOptions"/>).</summary>
    public const string FeatureTag = "aicostguard.attribution.feature";

    /// <summary>The span attribute and metric tag holding the budget decision, such as <c>allowed</c> or <c>clamped</c>.</summary>
    public const string DecisionAttribute = "aicostguard.budget.decision";

    /// <summary>The span attribute and metric tag holding the kind of ceiling behind a decision, such as <c>cost</c>.</summary>
    public const string LimitKindAttribute = "aicostguard.budget.limit_kind";

    /// <summary>The span attribute holding the budget whose ceiling drove the decision: <c>request</c> or a scope name.</summary>
    public const string LimitBudgetAttribute = "aicostguard.budget.limit_budget";

    /// <summary>The span attribute naming the <see cref="ModelPolicy"/> behind a <c>denied</c> or <c>shadow_denied</c> decision.</summary>
    public const string PolicyAttribute = "aicostguard.policy.name";

    /// <summary>The span attribute holding the cost ceiling of the call's innermost budget scope, in US dollars.</summary>
    public const string BudgetLimitAttribute = "aicostguard.budget.limit";

    /// <summary>The span attribute holding the cost still available in the call's innermost budget scope, in US dollars.</summary>
    public const string BudgetRemainingAttribute = "aicostguard.budget.remaining";

    /// <summary>The span attribute naming the model a call asked for, when a route or a degrade sent it to another (<see cref="CostRecord.RequestedModelId"/>).</summary>
    public const string RequestedModelAttribute = "aicostguard.requested_model";

    /// <summary>The span attribute holding the <see cref="BudgetScope.Id"/> of the run the call is charged to.</summary>
    public const string RunIdAttribute = "aicostguard.run.id";

    /// <summary>The span attribute and metric tag holding the run's <see cref="BudgetScope.Name"/>.</summary>
    public const string RunNameAttribute = "aicostguard.run.name";

    /// <summary>The prefix of attribution attributes: <c>aicostguard.attribution.team</c>, <c>.feature</c>, <c>.tenant</c>, …</summary>
    public const string AttributionAttributePrefix = "aicostguard.attribution.";

    /// <summary>The name of span events recording a budget decision other than <c>allowed</c>.</summary>
    public const string DecisionEventName = "aicostguard.budget.decision";

    /// <summary>The name of the span that <see cref="BudgetScope"/> starts for a run, followed by the run's name.</summary>
    public const string RunSpanName = "budget_run";

    /// <summary>The counter of cost, in US dollars (<c>{USD}</c>), by model, team, feature and usage source; an observable counter, cumulative since the process started.</summary>
    public const string CostMetric = "aicostguard.cost";

    /// <summary>The histogram of what each priced, sent model call cost, in US dollars (<c>{USD}</c>), by model, team, feature and usage source; buckets from $0.00001 to $100.</summary>
    public const string CallCostMetric = "aicostguard.call.cost";

    /// <summary>The histogram of what each budget run (a <see cref="BudgetScope"/>) cost when it ended, in US dollars (<c>{USD}</c>), by run name; buckets from $0.00001 to $100.</summary>
    public const string RunCostMetric = "aicostguard.run.cost";

    /// <summary>The counter of budget decisions, by decision, limit kind, team and feature; an observable counter, cumulative since the process started.</summary>
    public const string DecisionsMetric = "aicostguard.budget.decisions";

    /// <summary>The histogram of the input-token estimate's relative error against the provider's count: (estimated − reported) / reported.</summary>
    public const string EstimateErrorMetric = "aicostguard.estimate.input_tokens.relative_error";

    /// <summary>The observable gauge of the cost still available in each live budget scope with a cost ceiling, by run name.</summary>
    public const string BudgetRemainingMetric = "aicostguard.budget.remaining";

    /// <summary>The observable counter of ledger write failures (a write that failed; its records are kept for a retry), over every ledger of the process.</summary>
    public const string LedgerWriteFailuresMetric = "aicostguard.ledger.write_failures";

    /// <summary>The observable counter of ledger records dropped instead of written (queue full with dropping configured, the retry buffer full while failing, or left unwritten at shutdown), over every ledger of the process.</summary>
    public const string LedgerDroppedMetric = "aicostguard.ledger.dropped";

    /// <summary>The counter of W3C baggage attribution values rejected as invalid.</summary>
    public const string BaggageRejectedMetric = "aicostguard.baggage.rejected";

    /// <summary>The counter of spend-velocity thresholds crossed, tagged by rule, window and action.</summary>
    public const string SpendVelocityMetric = "aicostguard.spend_velocity.exceeded";

    /// <summary>The span event added when a call finds its key's spend rate above a spend-velocity rule.</summary>
    public const string SpendVelocityEventName = "aicostguard.spend_velocity.exceeded";

    /// <summary>The span and metric attribute naming the budget tier in force for a call, e.g. <c>team-monthly@80</c>.</summary>
    public const string BudgetTierAttribute = "aicostguard.budget.tier";

    /// <summary>The counter of budget tiers reached, once per window, tier and attribution key in a process, tagged by tier and action.</summary>
    public const string BudgetTiersMetric = "aicostguard.budget.tiers_reached";

    /// <summary>The span event added when a call finds its period budget's window at a tier for the first time.</summary>
    public const string BudgetTierEventName = "aicostguard.budget.tier_reached";

    /// <summary>The metric tag value that attribution values outside the allow-list, or beyond the distinct-value limit, fold into.</summary>
    public const string OtherValue = "other";

    internal static readonly ActivitySource Source = new(SourceName, typeof(CostGovernanceTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(CostGovernanceTelemetry).Assembly.GetName().Version?.ToString());

    // Summed in the process and read when collected (CallCounters): a call adds to a total instead of handing the SDK a measurement.
    internal static readonly ObservableCounter<double> Cost = Meter.CreateObservableCounter(CostMetric, CallCounters.Shared.ObserveCosts, "{USD}", "Cost of model calls in US dollars.");

    internal static readonly ObservableCounter<long> Decisions = Meter.CreateObservableCounter(DecisionsMetric, CallCounters.Shared.ObserveDecisions, "{decision}", "Budget decisions on model calls.");

    /// <summary>
    /// Bucket boundaries for costs in US dollars. A model call typically costs a fraction of a cent, so the buckets are
    /// fine below a cent (where the SDK's default boundaries, from 0 to 10,000, would put every call in one bucket) and
    /// reach $100 for long agent runs.
    /// </summary>
    internal static readonly double[] CostBuckets =
        [0, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 100];

    internal static readonly Histogram<double> CallCost = Meter.CreateHistogram(
        CallCostMetric, "{USD}", "Cost of each priced model call in US dollars.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CostBuckets });

    internal static readonly Histogram<double> RunCost = Meter.CreateHistogram(
        RunCostMetric, "{USD}", "Cost of each budget run in US dollars, when it ends.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CostBuckets });

    /// <summary>Bucket boundaries for the relative estimate error: fine around zero, where a good estimate lands, coarse in the tails.</summary>
    internal static readonly double[] EstimateErrorBuckets = [-1, -0.5, -0.25, -0.1, -0.05, -0.02, -0.005, 0, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

    internal static readonly Histogram<double> EstimateError = Meter.CreateHistogram(
        EstimateErrorMetric, "1", "Relative error of the pre-send input-token estimate against the provider-reported count.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = EstimateErrorBuckets });

    // The ledger publishes its health (CostLedgerTotals) and knows nothing of telemetry; these instruments read it when collected.
    internal static readonly ObservableCounter<long> LedgerWriteFailures = Meter.CreateObservableCounter(LedgerWriteFailuresMetric, static () => CostLedgerTotals.WriteFailures, "{failure}", "Ledger writes that failed; their records are kept for a retry.");

    internal static readonly ObservableCounter<long> LedgerDropped = Meter.CreateObservableCounter(LedgerDroppedMetric, static () => CostLedgerTotals.Dropped, "{record}", "Ledger records dropped by a sink instead of written.");

    internal static readonly Counter<long> BaggageRejected = Meter.CreateCounter<long>(BaggageRejectedMetric, "{value}", "Invalid attribution values received in W3C baggage, dropped.");

    internal static readonly Counter<long> BudgetTiersReached = Meter.CreateCounter<long>(BudgetTiersMetric, "{tier}", "Budget tiers reached by a period budget's window.");

    internal static readonly Counter<long> SpendVelocityExceeded = Meter.CreateCounter<long>(SpendVelocityMetric, "{alert}", "Calls that found their key's spend rate above a spend-velocity rule.");
}
