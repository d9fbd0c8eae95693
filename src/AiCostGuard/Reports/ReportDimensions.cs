namespace AiCostGuard;

/// <summary>The dimensions a <see cref="CostReport"/> groups by; combine them.</summary>
/// <remarks>A report's key columns come in a fixed order whatever the order of the flags: tenant, team, feature, user,
/// cost center, provider, model, day (<see cref="CostReport.Columns"/>).</remarks>
[Flags]
public enum ReportDimensions
{
    /// <summary>One row: the total.</summary>
    None = 0,

    /// <summary>By <see cref="CostAttribution.Team"/>.</summary>
    Team = 1 << 0,

    /// <summary>By <see cref="CostAttribution.Feature"/>.</summary>
    Feature = 1 << 1,

    /// <summary>By the priced model.</summary>
    Model = 1 << 2,

    /// <summary>By the UTC day the call started.</summary>
    Day = 1 << 3,

    /// <summary>By <see cref="CostAttribution.Tenant"/>.</summary>
    Tenant = 1 << 4,

    /// <summary>By <see cref="CostAttribution.User"/>.</summary>
    User = 1 << 5,

    /// <summary>By <see cref="CostAttribution.CostCenter"/>.</summary>
    CostCenter = 1 << 6,

    /// <summary>By <see cref="CostRecord.Provider"/>.</summary>
    Provider = 1 << 7,
}
