namespace AiCostGuard;

/// <summary>What the policies found for a call: nothing (<see cref="Policy"/> is <see langword="null"/>), or the policy that denies it and why.</summary>
/// <param name="Policy">The denying policy's name; <see langword="null"/> when every policy lets the call through.</param>
/// <param name="Reason">Why, as a sentence.</param>
/// <param name="IsEnforced">Whether the denial stops the call; a shadow denial only marks its record.</param>
/// <param name="RetryAt">When a call rate lets the next call through, for a denial by a call rate.</param>
internal readonly record struct PolicyVerdict(string? Policy, string? Reason, bool IsEnforced, DateTimeOffset? RetryAt)
{
    /// <summary>The decision a sent call is recorded with when a policy shadow-denied it: the budgets' own decision wins only when it changed the call.</summary>
    public static BudgetDecision Recorded(BudgetDecision decided, string? shadowPolicy) =>
        shadowPolicy is not null && decided is BudgetDecision.Allowed or BudgetDecision.ShadowClamped or BudgetDecision.ShadowRejected
            ? BudgetDecision.ShadowDenied
            : decided;
}
