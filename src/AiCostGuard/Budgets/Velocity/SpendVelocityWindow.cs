namespace AiCostGuard;

/// <summary>The rolling window a <see cref="SpendVelocityRule"/> measures spend over.</summary>
public enum SpendVelocityWindow
{
    /// <summary>The last second, in 10 buckets of 100 ms.</summary>
    Second,

    /// <summary>The last minute, in 60 buckets of 1 s.</summary>
    Minute,

    /// <summary>The last hour, in 60 buckets of 1 min.</summary>
    Hour,
}
