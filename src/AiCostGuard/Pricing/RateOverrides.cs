using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// Token rates that replace a model's standard ones where it is priced differently: on a service tier
/// (<see cref="ServiceTierPrice"/>) or above a long-context threshold (<see cref="LongContextPrice"/>). A rate left
/// <see langword="null"/> keeps the rate it would replace, so an override need only state what changes.
/// </summary>
/// <remarks>Immutable once published in a <see cref="PriceCatalog"/>; bind it from configuration with object initializers.</remarks>
public abstract record RateOverrides
{
    /// <summary>Gets the price of one million uncached input tokens.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace.</value>
    [DecimalRange("0", "1000000")]
    public decimal? InputPerMillion { get; init; }

    /// <summary>Gets the price of one million cache-read input tokens.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace.</value>
    [DecimalRange("0", "1000000")]
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the price of one million tokens written to a 5-minute cache.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace.</value>
    [DecimalRange("0", "1000000")]
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Gets the price of one million tokens written to a 1-hour cache.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace.</value>
    [DecimalRange("0", "1000000")]
    public decimal? CacheWriteOneHourPerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace.</value>
    [DecimalRange("0", "1000000")]
    public decimal? OutputPerMillion { get; init; }

    /// <summary>Gets the price of one million reasoning tokens.</summary>
    /// <value>The default, <see langword="null"/>, keeps the rate it would replace (which itself defaults to the output rate).</value>
    [DecimalRange("0", "1000000")]
    public decimal? ReasoningPerMillion { get; init; }
}
