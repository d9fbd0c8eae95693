using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// The published prices of one model, in US dollars per million tokens, and the limits the pricing needs.
/// </summary>
/// <remarks>Instances are immutable once published in a <see cref="PriceCatalog"/>; bind them from configuration with object initializers.</remarks>
public sealed record ModelPrice
{
    private const decimal TokensPerUnit = 1_000_000m;

    /// <summary>Gets the provider, such as <c>openai</c> or <c>anthropic</c>; it picks the token estimator.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the price of one million uncached input tokens.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal InputPerMillion { get; init; }

    /// <summary>
    /// Gets the price of one million input tokens read from the prompt cache.
    /// <value>The default, <see langword="null"/>, prices cached tokens at <see cref="InputPerMillion"/>.</value>
    /// </summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens, reasoning tokens included.</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal OutputPerMillion { get; init; }

    /// <summary>Gets the most output tokens the model produces in one call: the worst case when a call sets no <c>MaxOutputTokens</c>.</summary>
    [Range(1, int.MaxValue)]
    public int? MaximumOutputTokens { get; init; }

    /// <summary>Gets the most input tokens the model accepts.</summary>
    [Range(1, int.MaxValue)]
    public int? ContextWindow { get; init; }

    /// <summary>Prices <paramref name="usage"/>: uncached input, cached input and output each at their rate.</summary>
    /// <param name="usage">The usage, in the Microsoft.Extensions.AI convention (cached within input, reasoning within output).</param>
    /// <returns>The cost in US dollars.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or more tokens are cached than were input.</exception>
    public decimal GetCost(TokenUsage usage)
    {
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CachedInputTokens < 0 || usage.CachedInputTokens > usage.InputTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Token counts must be non-negative and cached input cannot exceed input.");
        }

        decimal uncached = usage.InputTokens - usage.CachedInputTokens;
        decimal cost = (uncached * InputPerMillion)
            + (usage.CachedInputTokens * (CachedInputPerMillion ?? InputPerMillion))
            + (usage.OutputTokens * OutputPerMillion);
        return cost / TokensPerUnit;
    }

    /// <summary>Prices the worst case of a call: every input token uncached and every allowed output token produced.</summary>
    /// <param name="inputTokens">The input tokens.</param>
    /// <param name="outputTokens">The output tokens.</param>
    /// <returns>The cost in US dollars.</returns>
    public decimal GetWorstCaseCost(long inputTokens, long outputTokens) =>
        ((inputTokens * InputPerMillion) + (outputTokens * OutputPerMillion)) / TokensPerUnit;

    /// <summary>Gets how many output tokens <paramref name="amount"/> dollars buy, rounded down.</summary>
    internal long OutputTokensAffordable(decimal amount) =>
        amount <= 0 ? 0 : OutputPerMillion == 0 ? long.MaxValue : (long)Math.Min(long.MaxValue, decimal.Floor(amount * TokensPerUnit / OutputPerMillion));
}
