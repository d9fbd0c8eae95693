namespace AiCostGuard;

/// <summary>What the middleware does with a call whose worst case does not fit a ceiling.</summary>
public enum OverBudgetAction
{
    /// <summary>Reject the call with <see cref="BudgetExceededException"/> before it is sent.</summary>
    Reject,

    /// <summary>
    /// Lower the call's <c>MaxOutputTokens</c> to what the budget can pay, when that is at least
    /// <see cref="CostGovernanceOptions.MinimumClampedOutputTokens"/>; otherwise reject. A call whose input alone does
    /// not fit is always rejected: clamping output cannot save it.
    /// </summary>
    Clamp,
}
