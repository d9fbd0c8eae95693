namespace AiCostGuard;

/// <summary>The cost of one model call by kind of token, in US dollars, and how it was priced.</summary>
/// <param name="UncachedInput">Input tokens neither read from nor written to the cache (audio and image input excluded).</param>
/// <param name="CachedInput">Input tokens read from the prompt cache.</param>
/// <param name="CacheWrite">Input tokens written to the prompt cache, 5-minute and 1-hour.</param>
/// <param name="Output">Output tokens other than reasoning (audio and image output excluded).</param>
/// <param name="Reasoning">Output tokens spent on reasoning.</param>
/// <param name="AudioAndImage">Audio and image tokens, input and output, where the model prices them apart.</param>
/// <param name="RequestFee">The model's fixed fee per request.</param>
/// <param name="ServiceTier">The service tier whose rates were applied: <c>standard</c>, <c>flex</c>, <c>priority</c> or <c>batch</c>.</param>
/// <param name="LongContextThreshold">The long-context threshold the request was above, or <see langword="null"/>.</param>
/// <param name="Notes">What was notable: rates stood in for, a tier that fell back, long-context rates.</param>
public readonly record struct CostBreakdown(
    decimal UncachedInput,
    decimal CachedInput,
    decimal CacheWrite,
    decimal Output,
    decimal Reasoning,
    decimal AudioAndImage,
    decimal RequestFee,
    string ServiceTier,
    long? LongContextThreshold,
    PricingNotes Notes)
{
    /// <summary>Gets the total cost: the sum of every part.</summary>
    public decimal Total => UncachedInput + CachedInput + CacheWrite + Output + Reasoning + AudioAndImage + RequestFee;

    /// <summary>Gets the money of each part, as a call's record keeps it.</summary>
    public CostParts Parts => new(UncachedInput, CachedInput, CacheWrite, Output, Reasoning, AudioAndImage, RequestFee);
}
