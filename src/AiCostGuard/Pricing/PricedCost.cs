namespace AiCostGuard;

/// <summary>What a call is charged: the total of its <see cref="CostBreakdown"/>, the service tier applied, the notes, and the money of each part.</summary>
/// <param name="Total">The cost in US dollars.</param>
/// <param name="ServiceTier">The service tier the call was priced at.</param>
/// <param name="Notes">How the rates were applied.</param>
/// <param name="Parts">The money of each part, as the call's record keeps it.</param>
internal readonly record struct PricedCost(decimal Total, string ServiceTier, PricingNotes Notes, CostParts Parts);
