namespace AiCostGuard;

/// <summary>The dimensions a <see cref="CostReport"/> groups by; combine them.</summary>
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
}
