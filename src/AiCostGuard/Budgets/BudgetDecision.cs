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

    /// <summary>The call did not fit on the model asked for and was sent to a cheaper model of the degrade ladder.</summary>
    Degraded,

    /// <summary>The call was sent as the run's final turn: without tools and with its output clamped, so the run ends with an answer.</summary>
    FinalTurn,

    /// <summary>The run's tool calls were exhausted and the call was sent without tools.</summary>
    ToolsDropped,

    /// <summary>A <see cref="ModelPolicy"/> denied the call before it was estimated; it was not sent (<see cref="CostRecord.PolicyName"/> names the policy).</summary>
    Denied,

    /// <summary>Shadow mode: a <see cref="ModelPolicy"/> would have denied the call, and it was sent (<see cref="CostRecord.PolicyName"/> names the policy).</summary>
    ShadowDenied,
    /// <summary>A budget tier lowered the call's reasoning effort (<c>ChatOptions.Reasoning</c>); <see cref="CostRecord.BudgetTier"/> names it.</summary>
    ReasoningLowered,

    /// <summary>Not a call: a marker that a budget tier (<see cref="CostRecord.BudgetTier"/>) was reached in its window; nothing was sent or charged.</summary>
    TierReached,
}
