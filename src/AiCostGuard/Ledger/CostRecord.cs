using System.Diagnostics;

namespace AiCostGuard;

/// <summary>
/// The ledger's record of one model call: when, who, which model, tokens by kind, the estimate made before sending,
/// the cost and where it comes from, what the budget decided, and how the call ended.
/// </summary>
public readonly record struct CostRecord
{
    /// <summary>Gets when the call started.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets how long the call took, to the end of its stream.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets who and why the call is booked to.</summary>
    public CostAttribution Attribution { get; init; }

    /// <summary>Gets the name of the innermost budget scope the call was charged to, or <see langword="null"/>.</summary>
    public string? ScopeName { get; init; }

    /// <summary>Gets the <see cref="BudgetScope.Id"/> of the innermost budget scope the call was charged to, or <see langword="null"/>.</summary>
    public string? ScopeId { get; init; }

    /// <summary>Gets the model that was priced: the provider-reported snapshot when there is one, else the requested model.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the model the caller asked for, when a route or a degrade sent the call to another (<see cref="ModelId"/>); otherwise <see langword="null"/>.</summary>
    public string? RequestedModelId { get; init; }

    /// <summary>Gets the provider, as the chat client describes itself (<c>ChatClientMetadata.ProviderName</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>Gets whether the call was streamed.</summary>
    public bool IsStreaming { get; init; }

    /// <summary>Gets all input tokens, cached ones included.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the input tokens read from the prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets all output tokens, reasoning ones included.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the output tokens spent on reasoning.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets the input tokens estimated before sending.</summary>
    public long EstimatedInputTokens { get; init; }

    /// <summary>Gets how exact <see cref="EstimatedInputTokens"/> is.</summary>
    public EstimatePrecision EstimatePrecision { get; init; }

    /// <summary>Gets the cost in US dollars; zero with <see cref="CostSource.Unpriced"/> means unknown, not free.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets where the cost comes from.</summary>
    public CostSource CostSource { get; init; }

    /// <summary>Gets what the budget decided.</summary>
    public BudgetDecision Decision { get; init; }

    /// <summary>Gets the ceiling behind a decision other than <see cref="BudgetDecision.Allowed"/>.</summary>
    public BudgetLimitKind? LimitKind { get; init; }

    /// <summary>Gets the budget whose ceiling drove the decision: <c>request</c> or a <see cref="BudgetScope"/>'s name.</summary>
    public string? LimitBudget { get; init; }

    /// <summary>Gets the output ceiling the call was sent with and reserved for: its <c>MaxOutputTokens</c> after any clamp, or the model's maximum output.</summary>
    public long MaximumOutputTokens { get; init; }

    /// <summary>Gets why a call was not sent, when it was refused before any budget was consulted: a missing attribution or an unpriced model.</summary>
    public string? RefusalReason { get; init; }

    /// <summary>Gets which attempt of a retried request the call was: 1 for the first, 2 for the first retry; 0 when no <see cref="BudgetAwareRetryChatClient"/> sent it.</summary>
    public int Attempt { get; init; }

    /// <summary>Gets how the call ended.</summary>
    public CallOutcome Outcome { get; init; }

    /// <summary>Gets the trace the call ran in, when one was active (the <c>chat</c> span's trace with <c>UseOpenTelemetry()</c>); the default (all zeros) otherwise.</summary>
    public ActivityTraceId TraceId { get; init; }

    /// <summary>Gets the span the call's cost was put on, when one was active; the default (all zeros) otherwise.</summary>
    public ActivitySpanId SpanId { get; init; }

    /// <summary>Gets the input tokens written to the prompt cache (5-minute and 1-hour); part of <see cref="InputTokens"/>.</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Gets the service tier the call was priced at (<c>standard</c>, <c>flex</c>, <c>priority</c>, <c>batch</c>), or <see langword="null"/> when unpriced.</summary>
    public string? ServiceTier { get; init; }

    /// <summary>Gets what the call was charged for each kind of token, summing to <see cref="Cost"/>; <see langword="null"/> when the cost was not priced part by part (unpriced, a worst case charged when settling failed, or a record from a ledger written before parts were kept).</summary>
    public CostParts? CostParts { get; init; }

    /// <summary>Gets what was notable about the pricing: cached tokens at the input rate for want of a cache price, an unpriced service tier, long-context rates.</summary>
    public PricingNotes PricingNotes { get; init; }

    /// <summary>Gets the <see cref="ModelPolicy"/> that denied the call (<see cref="BudgetDecision.Denied"/>) or would have in shadow mode (<see cref="BudgetDecision.ShadowDenied"/>); otherwise <see langword="null"/>.</summary>
    public string? PolicyName { get; init; }
    /// <summary>
    /// Gets the budget tier in force when the call was decided, e.g. <c>team-monthly@80</c> (the period budget and the
    /// share of its ceiling its window had spent): the tier whose action changed or refused the call, or, with
    /// <see cref="BudgetDecision.TierReached"/>, the tier this marker records as reached; <see langword="null"/> below every tier.
    /// </summary>
    public string? BudgetTier { get; init; }

    /// <summary>Gets what kind of call it was: chat, or embeddings; <see cref="CallKind.Chat"/> in records written before kinds were kept.</summary>
    public CallKind Kind { get; init; }

    /// <summary>
    /// Gets what the call would have cost had a response cache not answered it (<c>UseDistributedCache()</c> inside the
    /// governance, marked by <c>UseCacheHitDetection()</c>): the call itself costs 0 and reports no tokens. <see langword="null"/>
    /// for a call that reached the provider.
    /// </summary>
    public decimal? AvoidedCost { get; init; }

    /// <summary>The record of a call refused before it was sent, in the innermost ambient scope.</summary>
    internal static CostRecord Refusal(DateTimeOffset time, CostAttribution attribution, string? modelId, string? provider, bool streaming, string reason, BudgetLimitKind? kind, string? budget, long estimatedInput = 0) => new()
    {
        Timestamp = time,
        Attribution = attribution,
        ScopeName = BudgetScope.Current?.Name,
        ScopeId = BudgetScope.Current?.Id,
        ModelId = modelId,
        Provider = provider,
        IsStreaming = streaming,
        EstimatedInputTokens = estimatedInput,
        CostSource = modelId is null ? CostSource.Unpriced : CostSource.Estimated,
        Decision = BudgetDecision.Rejected,
        LimitKind = kind,
        LimitBudget = budget,
        Outcome = CallOutcome.NotSent,
        RefusalReason = reason,
    };
}
