namespace AiCostGuard;

/// <summary>What was notable about how a call was priced: a rate that was missing and stood in for, or a rule that applied.</summary>
[Flags]
public enum PricingNotes
{
    /// <summary>Every token was priced at a rate the catalog publishes for it.</summary>
    None = 0,

    /// <summary>
    /// Cached input tokens were priced at the input rate because the model has no cache-read price. They are never priced at
    /// zero: a provider that cached without publishing a discount bills them as input.
    /// </summary>
    CachedInputAtInputRate = 1,

    /// <summary>Cache-write tokens were priced at the input rate because the model has no cache-write price.</summary>
    CacheWriteAtInputRate = 2,

    /// <summary>The call ran on a service tier (flex, priority, batch) the model has no price for: it was priced at the standard rates.</summary>
    ServiceTierFallback = 4,

    /// <summary>The request's input was above a long-context threshold: the whole request was priced at that tier's rates.</summary>
    LongContext = 8,

    /// <summary>
    /// The response named a model outside the family of the one asked for (not one of its dated snapshots): the call
    /// was priced at the dearer of the two, and the ledger keeps both.
    /// </summary>
    ReportedModelMismatch = 16,

    /// <summary>
    /// The model is served by a self-hosted GPU pool (<see cref="CostGovernanceOptions.GpuPools"/>): the call was charged its
    /// token share of the pool's capacity (<see cref="GpuPool.CostPerToken"/>), not a per-token list price.
    /// </summary>
    GpuPool = 32,
}
