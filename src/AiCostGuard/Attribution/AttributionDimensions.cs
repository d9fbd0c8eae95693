namespace AiCostGuard;

/// <summary>
/// The dimensions a model call can be attributed to. Combine values to name the dimensions a call must carry.
/// </summary>
[Flags]
public enum AttributionDimensions
{
    /// <summary>No dimension.</summary>
    None = 0,

    /// <summary>The customer or organization the call serves (<see cref="CostAttribution.Tenant"/>).</summary>
    Tenant = 1 << 0,

    /// <summary>The team that owns the code making the call (<see cref="CostAttribution.Team"/>).</summary>
    Team = 1 << 1,

    /// <summary>The product feature the call belongs to (<see cref="CostAttribution.Feature"/>).</summary>
    Feature = 1 << 2,

    /// <summary>The end user the call acts for (<see cref="CostAttribution.User"/>).</summary>
    User = 1 << 3,

    /// <summary>The finance cost center to charge (<see cref="CostAttribution.CostCenter"/>).</summary>
    CostCenter = 1 << 4,

    /// <summary>The deployment environment, such as <c>prod</c> or <c>staging</c> (<see cref="CostAttribution.Environment"/>).</summary>
    Environment = 1 << 5,
}
