namespace AiCostGuard;

/// <summary>Where the cost recorded for a model call comes from.</summary>
public enum CostSource
{
    /// <summary>The provider reported the call's token usage, priced with the catalog.</summary>
    ProviderReported,

    /// <summary>
    /// The provider reported no usage (a response without usage, or a stream that was cut, cancelled or failed
    /// before its usage arrived): the tokens were estimated, then priced with the catalog.
    /// </summary>
    Estimated,

    /// <summary>The model has no price in the catalog and the policy let the call run: the cost is unknown, not zero.</summary>
    Unpriced,
}
