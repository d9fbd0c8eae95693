using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// The rates of a model on one service tier (flex, priority or batch). A rate left <see langword="null"/> is the standard
/// tier's rate, so a tier need only state what differs.
/// </summary>
/// <remarks>Immutable once published in a <see cref="PriceCatalog"/>; bind it from configuration with object initializers.</remarks>
public sealed record ServiceTierPrice
{
    /// <summary>Gets the price of one million uncached input tokens on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? InputPerMillion { get; init; }

    /// <summary>Gets the price of one million cache-read input tokens on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the price of one million tokens written to a 5-minute cache on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Gets the price of one million tokens written to a 1-hour cache on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? CacheWriteOneHourPerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? OutputPerMillion { get; init; }

    /// <summary>Gets the price of one million reasoning tokens on this tier.</summary>
    /// <value>The default, <see langword="null"/>, is the standard rate.</value>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal? ReasoningPerMillion { get; init; }

    /// <summary>Gets this tier's own long-context rates, which then replace the standard tier's.</summary>
    /// <value>The default, <see langword="null"/>, applies the standard tier's long-context rates above their thresholds.</value>
    public IReadOnlyList<LongContextPrice>? LongContextTiers { get; init; }
}
