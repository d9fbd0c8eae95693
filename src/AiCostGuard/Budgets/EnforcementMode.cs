namespace AiCostGuard;

/// <summary>Whether budget decisions are enforced or only recorded.</summary>
public enum EnforcementMode
{
    /// <summary>Decisions are carried out: calls are rejected, clamped and cut.</summary>
    Enforce,

    /// <summary>
    /// Shadow mode, for rolling out budgets safely: every decision is made and recorded in the ledger
    /// (<see cref="BudgetDecision.ShadowRejected"/>, <see cref="BudgetDecision.ShadowClamped"/>), but calls are sent unchanged.
    /// </summary>
    Shadow,
}
