namespace AiCostGuard;

/// <summary>
/// What a call was charged for each kind of token, in US dollars: the money of a <see cref="CostBreakdown"/>, kept on
/// the <see cref="CostRecord"/> so that a cost can be itemized later at the rates in force when the call was priced.
/// </summary>
/// <param name="UncachedInput">Input tokens neither read from nor written to the cache (audio and image input excluded).</param>
/// <param name="CachedInput">Input tokens read from the prompt cache.</param>
/// <param name="CacheWrite">Input tokens written to the prompt cache, 5-minute and 1-hour.</param>
/// <param name="Output">Output tokens other than reasoning (audio and image output excluded).</param>
/// <param name="Reasoning">Output tokens spent on reasoning.</param>
/// <param name="AudioAndImage">Audio and image tokens, input and output, where the model prices them apart.</param>
/// <param name="RequestFee">The model's fixed fee per request.</param>
public readonly record struct CostParts(
    decimal UncachedInput,
    decimal CachedInput,
    decimal CacheWrite,
    decimal Output,
    decimal Reasoning,
    decimal AudioAndImage,
    decimal RequestFee)
{
    /// <summary>Gets the total: the sum of every part.</summary>
    public decimal Total => UncachedInput + CachedInput + CacheWrite + Output + Reasoning + AudioAndImage + RequestFee;
}
