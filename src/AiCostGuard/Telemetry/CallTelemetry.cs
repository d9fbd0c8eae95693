using System.Diagnostics;
using OpenTelemetry;

namespace AiCostGuard;

/// <summary>
/// Puts each governed call on OpenTelemetry: cost, budget and attribution on the call's <c>chat</c> span (or a span of
/// the library's own source), budget decisions as span events, and the library's metrics; and carries attribution in
/// W3C baggage when enabled.
/// </summary>
/// <remarks>
/// Why the span is written when the call is recorded rather than when it starts: everything it carries (cost,
/// decision, remaining budget) is known only then, and a span of our own is created with the call's real start and end
/// times, so no state is kept across the call. Work is skipped when nobody listens.
/// </remarks>
internal sealed class CallTelemetry : ICostRecordObserver
{
    private static readonly string[] BaggageKeys = ["aicostguard.tenant", "aicostguard.team", "aicostguard.feature", "aicostguard.user", "aicostguard.cost_center", "aicostguard.environment"];

    private static readonly object OneCall = 1L;

    private readonly MetricSeries _series;
    private const int MaximumSpanNames = 256;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _spanNames = new(StringComparer.Ordinal);
    private readonly bool _baggage;
    private readonly AttributionDimensions _baggageDimensions;

    public CallTelemetry(CostTelemetryOptions options)
    {
        _series = new MetricSeries(options);
        _baggage = options.EnableBaggage;
        _baggageDimensions = options.BaggageDimensions;
    }

    /// <summary>Fills unset dimensions from incoming baggage and writes the call's dimensions to outgoing baggage, when enabled.</summary>
    public CostAttribution Propagate(CostAttribution attribution)
    {
        if (!_baggage)
        {
            return attribution;
        }

        CostAttribution filled = FromBaggage(attribution);
        Baggage baggage = Baggage.Current;
        for (int i = 0; i < BaggageKeys.Length; i++)
        {
            var dimension = (AttributionDimensions)(1 << i);
            if ((_baggageDimensions & dimension) != 0 && filled.Get(dimension) is { } value)
            {
                baggage = baggage.SetBaggage(BaggageKeys[i], value);
                Activity.Current?.SetBaggage(BaggageKeys[i], value);
            }
        }

        Baggage.Current = baggage;
        return filled;
    }

    private CostAttribution FromBaggage(CostAttribution attribution)
    {
        string?[]? values = null;
        for (int i = 0; i < BaggageKeys.Length; i++)
        {
            var dimension = (AttributionDimensions)(1 << i);
            if ((_baggageDimensions & dimension) == 0 || attribution.Get(dimension) is not null)
            {
                continue;
            }

            string? value = Baggage.GetBaggage(BaggageKeys[i]) ?? Activity.Current?.GetBaggageItem(BaggageKeys[i]);
            if (value is null)
            {
                continue;
            }

            if (!AttributionValue.IsValid(value, out _))
            {
                // Baggage comes from another service, maybe from a user: an invalid value is dropped, never booked.
                CostGovernanceTelemetry.BaggageRejected.Add(1, new KeyValuePair<string, object?>("key", BaggageKeys[i]));
                continue;
            }

            values ??= new string?[BaggageKeys.Length];
            values[i] = value;
        }

        return values is null
            ? attribution
            : attribution.Over(new CostAttribution
            {
                Tenant = values[0],
                Team = values[1],
                Feature = values[2],
                User = values[3],
                CostCenter = values[4],
                Environment = values[5],
            });
    }

    /// <summary>Reports a record to spans and metrics, and stamps it with the trace and span it was reported on.</summary>
    /// <remarks>By reference: the record is large, and this runs once per model call.</remarks>
    public void Observe(ref CostRecord record, BudgetScope? scope)
    {
        Activity? current = Activity.Current;
        Activity? own = null;
        Activity? span = current is not null && IsCallSpan(current, record.Kind) ? current : null;
        if (span is null && CostGovernanceTelemetry.Source.HasListeners())
        {
            own = CostGovernanceTelemetry.Source.StartActivity(
                record.Kind == CallKind.Chat ? SpanName(record.ModelId) : EmbeddingsSpanName(record.ModelId),
                ActivityKind.Client,
                current?.Context ?? default,
                tags: null,
                links: null,
                startTime: record.Timestamp);
            span = own;
        }

        if (span is not null)
        {
            if (span.IsAllDataRequested)
            {
                Tag(span, in record, scope, own is not null);
            }

            Stamp(ref record, span);
            if (own is not null)
            {
                own.SetEndTime((record.Timestamp + record.Duration).UtcDateTime);
                own.Stop();
            }
        }
        else if (current is not null)
        {
            Stamp(ref record, current);
        }

        Measure(in record);
    }

    /// <summary>Names <paramref name="span"/> on the record; out of line, so a call without a span does not make room for a copy of the record.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Stamp(ref CostRecord record, Activity span) => record = record with { TraceId = span.TraceId, SpanId = span.SpanId };

    /// <summary>Tells the model call's span from the tool loop's <c>orchestrate_tools</c> span and the caller's own spans, which must not be tagged.</summary>
    /// <summary>The span name, <c>chat {model}</c>, built once per model (up to <see cref="MaximumSpanNames"/> models).</summary>
    private string SpanName(string? modelId)
    {
        if (modelId is null)
        {
            return "chat";
        }

        if (_spanNames.TryGetValue(modelId, out string? name))
        {
            return name;
        }

        name = "chat " + modelId;
        if (_spanNames.Count < MaximumSpanNames)
        {
            _spanNames.TryAdd(modelId, name);
        }

        return name;
    }

    private static bool IsCallSpan(Activity activity, CallKind kind) =>
        activity.GetTagItem("gen_ai.operation.name") is string operation && string.Equals(operation, RecordNames.Name(kind), StringComparison.Ordinal);

    /// <summary>The span name of an embeddings call, <c>embeddings {model}</c>: rarer than chat, so not cached.</summary>
    private static string EmbeddingsSpanName(string? modelId) => modelId is null ? "embeddings" : "embeddings " + modelId;

    private static void Tag(Activity span, in CostRecord record, BudgetScope? scope, bool own)
    {
        // A span that carries no call of ours yet (ours, or another library's first) has none of these keys: they are
        // appended. One that does (UseOpenTelemetry() outside the tool loop, a later call) has them replaced.
        bool append = own || span.GetTagItem(CostGovernanceTelemetry.DecisionAttribute) is null;
        if (own)
        {
            Put(span, "gen_ai.operation.name", RecordNames.Name(record.Kind), true);
            Put(span, "gen_ai.request.model", record.ModelId, true);
            Put(span, "gen_ai.provider.name", record.Provider, true);
            Put(span, "gen_ai.usage.input_tokens", record.InputTokens, true);
            Put(span, "gen_ai.usage.output_tokens", record.OutputTokens, true);
        }

        if (record.CostSource == CostSource.Unpriced)
        {
            Put(span, CostGovernanceTelemetry.CostSourceAttribute, RecordNames.Name(CostSource.Unpriced), append);
        }
        else
        {
            // A span another library made may cover several model calls (UseOpenTelemetry() outside the tool loop):
            // its cost is the sum of theirs, so it adds up to the ledger whatever order the pipeline is composed in.
            double cost = (double)record.Cost;
            long calls = 1;
            if (!append && span.GetTagItem(CostGovernanceTelemetry.ModelCallsAttribute) is long before)
            {
                calls += before;
                cost += span.GetTagItem(CostGovernanceTelemetry.CostAttribute) is double sum ? sum : 0d;
            }

            // Boxed once for both names; the call count is one on almost every span, boxed once for the process.
            object boxedCost = cost;
            Put(span, CostGovernanceTelemetry.CostAttribute, boxedCost, append);
            Put(span, CostGovernanceTelemetry.CostAmountAttribute, boxedCost, append);
            Put(span, CostGovernanceTelemetry.CostCurrencyAttribute, "USD", append);
            Put(span, CostGovernanceTelemetry.CostSourceAttribute, "local", append);
            Put(span, CostGovernanceTelemetry.ModelCallsAttribute, calls == 1 ? OneCall : calls, append);
            Put(span, CostGovernanceTelemetry.UsageSourceAttribute, RecordNames.Name(record.CostSource), append);
        }

        Put(span, CostGovernanceTelemetry.DecisionAttribute, RecordNames.Name(record.Decision), append);
        if (record.RequestedModelId is not null)
        {
            Put(span, CostGovernanceTelemetry.RequestedModelAttribute, record.RequestedModelId, append);
        }

        if (record.EstimatePrecision == EstimatePrecision.Bounded)
        {
            // What was reserved for content that is not text was a bound, not a count: said where the call's cost is read.
            Put(span, "aicostguard.estimate.precision", RecordNames.Name(EstimatePrecision.Bounded), append);
        }

        if (record.LimitKind is { } kind)
        {
            Put(span, CostGovernanceTelemetry.LimitKindAttribute, RecordNames.Name(kind), append);
            Put(span, CostGovernanceTelemetry.LimitBudgetAttribute, record.LimitBudget, append);
        }

        if (record.PolicyName is not null)
        {
            Put(span, CostGovernanceTelemetry.PolicyAttribute, record.PolicyName, append);
        }

        if (record.BudgetTier is { } tier)
        {
            Put(span, CostGovernanceTelemetry.BudgetTierAttribute, tier, append);
        }

        if (scope is not null)
        {
            Put(span, CostGovernanceTelemetry.RunIdAttribute, scope.Id, append);
            Put(span, CostGovernanceTelemetry.RunNameAttribute, scope.Name, append);
            if (scope.Limits.MaximumCost is { } limit)
            {
                Put(span, CostGovernanceTelemetry.BudgetLimitAttribute, (double)limit, append);
                Put(span, CostGovernanceTelemetry.BudgetRemainingAttribute, (double)(scope.RemainingCost ?? 0m), append);
            }
        }

        CostAttribution? a = record.Attribution;
        if (a is not null)
        {
            Put(span, AttributionTagNames.Tenant, a.Tenant, append);
            Put(span, AttributionTagNames.Team, a.Team, append);
            Put(span, AttributionTagNames.Feature, a.Feature, append);
            Put(span, AttributionTagNames.User, a.User, append);
            Put(span, AttributionTagNames.CostCenter, a.CostCenter, append);
            Put(span, AttributionTagNames.Environment, a.Environment, append);
        }

        if (record.Decision != BudgetDecision.Allowed)
        {
            var tags = new ActivityTagsCollection
            {
                [CostGovernanceTelemetry.DecisionAttribute] = RecordNames.Name(record.Decision),
                [CostGovernanceTelemetry.LimitKindAttribute] = record.LimitKind is { } k ? RecordNames.Name(k) : null,
                [CostGovernanceTelemetry.LimitBudgetAttribute] = record.LimitBudget,
                ["aicostguard.budget.max_output_tokens"] = record.MaximumOutputTokens,
            };
            if (record.RefusalReason is not null)
            {
                tags["aicostguard.refusal"] = record.RefusalReason;
            }

            if (record.PolicyName is not null)
            {
                tags[CostGovernanceTelemetry.PolicyAttribute] = record.PolicyName;
            }

            if (record.BudgetTier is not null)
            {
                tags[CostGovernanceTelemetry.BudgetTierAttribute] = record.BudgetTier;
            }

            span.AddEvent(new ActivityEvent(CostGovernanceTelemetry.DecisionEventName, tags: tags));
        }
    }

    /// <summary>
    /// Sets a tag. Where none of the library's keys is there yet, a tag with a value is appended without the search for an
    /// existing key that <see cref="Activity.SetTag"/> makes. A span that already carries a call's tags (several calls
    /// observed on one span) has each replaced, or removed by a null value.
    /// </summary>
    private static void Put(Activity span, string key, object? value, bool append)
    {
        if (!append)
        {
            span.SetTag(key, value);
        }
        else if (value is not null)
        {
            span.AddTag(key, value);
        }
    }

    /// <summary>The attribution tag names, built once.</summary>
    private static class AttributionTagNames
    {
        public static readonly string Tenant = CostGovernanceTelemetry.AttributionAttributePrefix + "tenant";
        public static readonly string Team = CostGovernanceTelemetry.AttributionAttributePrefix + "team";
        public static readonly string Feature = CostGovernanceTelemetry.AttributionAttributePrefix + "feature";
        public static readonly string User = CostGovernanceTelemetry.AttributionAttributePrefix + "user";
        public static readonly string CostCenter = CostGovernanceTelemetry.AttributionAttributePrefix + "cost_center";
        public static readonly string Environment = CostGovernanceTelemetry.AttributionAttributePrefix + "environment";
    }

    private void Measure(in CostRecord record)
    {
        // The folded tag values of the last call, and the totals they add to, are reused while model and attribution
        // instance stay the same.
        MetricSeries.Folded? series = null;
        bool priced = record.Outcome != CallOutcome.NotSent && record.CostSource != CostSource.Unpriced;
        if (priced && CostGovernanceTelemetry.Cost.Enabled)
        {
            series = _series.Fold(record.ModelId, record.Attribution);
            series.Cost(record.CostSource).Add((double)record.Cost);
        }

        if (priced && CostGovernanceTelemetry.CallCost.Enabled)
        {
            series ??= _series.Fold(record.ModelId, record.Attribution);
            var tags = new TagList
            {
                { "gen_ai.request.model", series.Model },
                { CostGovernanceTelemetry.TeamTag, series.Team },
                { CostGovernanceTelemetry.FeatureTag, series.Feature },
                { CostGovernanceTelemetry.UsageSourceAttribute, RecordNames.Name(record.CostSource) },
            };
            CostGovernanceTelemetry.CallCost.Record((double)record.Cost, tags);
        }

        if (CostGovernanceTelemetry.Decisions.Enabled)
        {
            series ??= _series.Fold(record.ModelId, record.Attribution);
            series.Decision(record.Decision, record.LimitKind).Increment();
        }

        if (CostGovernanceTelemetry.EstimateError.Enabled && record.CostSource == CostSource.ProviderReported && record.InputTokens > 0)
        {
            series ??= _series.Fold(record.ModelId, record.Attribution);
            var tags = new TagList
            {
                { "gen_ai.request.model", series.Model },
                { "aicostguard.estimate.precision", RecordNames.Name(record.EstimatePrecision) },
            };
            CostGovernanceTelemetry.EstimateError.Record((record.EstimatedInputTokens - record.InputTokens) / (double)record.InputTokens, tags);
        }
    }
}
