namespace AiCostGuard;

/// <summary>What happens to a call to a model that has no price in the catalog.</summary>
public enum UnknownModelPolicy
{
    /// <summary>The call is rejected with <see cref="UnknownModelException"/> before it is sent.</summary>
    Reject,

    /// <summary>
    /// The call runs and is recorded with <see cref="CostSource.Unpriced"/>: token ceilings still apply, cost ceilings
    /// cannot, and reports show the call as unpriced rather than free.
    /// </summary>
    AllowUnpriced,
}
