namespace AiCostGuard;

/// <summary>
/// The rates of a model on one service tier (flex, priority or batch). A rate left <see langword="null"/> is the standard
/// tier's rate, so a tier need only state what differs.
/// </summary>
/// <remarks>Immutable once published in a <see cref="PriceCatalog"/>; bind it from configuration with object initializers.</remarks>
public sealed record ServiceTierPrice : RateOverrides
{
    /// <summary>Gets this tier's own long-context rates, which then replace the standard tier's.</summary>
    /// <value>The default, <see langword="null"/>, applies the standard tier's long-context rates above their thresholds.</value>
    public IReadOnlyList<LongContextPrice>? LongContextTiers { get; init; }
}
