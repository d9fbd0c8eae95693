namespace AiCostGuard;

/// <summary>
/// Thrown before a model call is sent when its attribution lacks a dimension the configuration requires.
/// </summary>
public sealed class MissingAttributionException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="missing">The required dimensions the call did not carry.</param>
    /// <param name="attribution">The attribution the call carried.</param>
    public MissingAttributionException(AttributionDimensions missing, CostAttribution attribution)
        : base($"The model call is missing required attribution: {missing}. It carried: {attribution}. " +
               "Wrap the call in CostAttribution.Begin(new CostAttribution { ... }) or relax CostGovernanceOptions.RequiredAttribution.")
    {
        Missing = missing;
        Attribution = attribution;
    }

    /// <summary>Gets the required dimensions the call did not carry.</summary>
    public AttributionDimensions Missing { get; }

    /// <summary>Gets the attribution the call carried.</summary>
    public CostAttribution Attribution { get; }
}
