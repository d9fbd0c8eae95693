namespace AiCostGuard;

/// <summary>What the budget decided for a model call.</summary>
public enum BudgetDecision
{
    /// <summary>The call's worst case fit every ceiling; it was sent unchanged.</summary>
    Allowed,

    /// <summary>The call was sent with its <c>MaxOutputTokens</c> lowered to what the budget could pay.</summary>
    Clamped,

    /// <summary>The call was rejected before it was sent.</summary>
    Rejected,

    /// <summary>The streamed response was cut at an output or cost ceiling.</summary>
    Cut,

    /// <summary>Shadow mode: the call would have been clamped, and was sent unchanged.</summary>
    ShadowClamped,

    /// <summary>Shadow mode: the call would have been rejected, and was sent unchanged.</summary>
    ShadowRejected,
}
