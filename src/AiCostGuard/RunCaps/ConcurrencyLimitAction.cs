namespace AiCostGuard;

/// <summary>What a model call does when its scope already has <see cref="BudgetLimits.MaximumConcurrentModelCalls"/> calls in flight.</summary>
public enum ConcurrencyLimitAction
{
    /// <summary>The call waits (cancellably) until a call in flight ends.</summary>
    Wait,

    /// <summary>The call is rejected at once with <see cref="BudgetExceededException"/>.</summary>
    Reject,
}
