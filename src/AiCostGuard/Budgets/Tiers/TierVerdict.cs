using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// What the tiers a call's period budgets have reached do to it: the actions of every reached tier added up, and the
/// tier the ledger names. Built once per budget and number of tiers reached, so a call that only carries it allocates nothing.
/// </summary>
/// <param name="Tier">The tier the ledger and span name: the highest reached tier with the strongest action, e.g. <c>team-monthly@95</c>.</param>
/// <param name="BudgetName">The budget it belongs to.</param>
/// <param name="ReasoningEffort">The most reasoning effort a call is sent with; <see langword="null"/> leaves it as asked.</param>
/// <param name="Degrades">Whether the call goes to the next model of the degrade ladder.</param>
/// <param name="DropsTools">Whether the call is sent without tools.</param>
/// <param name="Refuses">Whether the call is refused; <see cref="RefusingTier"/> names the tier.</param>
/// <param name="RefusingTier">The lowest reached tier that refuses.</param>
/// <param name="IsEnforced">Whether the actions apply; in shadow mode only the tier is recorded.</param>
internal sealed record TierVerdict(string Tier, string BudgetName, ReasoningEffort? ReasoningEffort, bool Degrades, bool DropsTools, bool Refuses, BudgetTier? RefusingTier, bool IsEnforced)
{
    /// <summary>Adds the actions of <paramref name="other"/>, reached by another budget of the same call, to these; the stronger tier is named.</summary>
    public TierVerdict With(TierVerdict other)
    {
        ReasoningEffort? effort = ReasoningEffort is { } a && other.ReasoningEffort is { } b ? ReasoningEfforts.Lower(a, b) : ReasoningEffort ?? other.ReasoningEffort;
        bool otherNamed = other.Strength > Strength;
        return new TierVerdict(
            otherNamed ? other.Tier : Tier,
            otherNamed ? other.BudgetName : BudgetName,
            effort,
            Degrades || other.Degrades,
            DropsTools || other.DropsTools,
            Refuses || other.Refuses,
            RefusingTier ?? other.RefusingTier,
            IsEnforced);
    }

    /// <summary>How strong the strongest action is: refuse, degrade, drop tools, lower reasoning, notify.</summary>
    private int Strength => Refuses ? 4 : Degrades ? 3 : DropsTools ? 2 : ReasoningEffort is not null ? 1 : 0;
}
