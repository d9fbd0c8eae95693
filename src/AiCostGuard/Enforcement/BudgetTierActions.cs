using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>Applies what the reached budget tiers do to a call — lower its reasoning effort, drop its tools, send it to a cheaper model — to its admission.</summary>
internal static class BudgetTierActions
{
    /// <summary>
    /// The admission as the tiers of <paramref name="tier"/> change it; <paramref name="degradedTo"/> is the cheaper model
    /// the period gate reserved at. A decision the budgets already made (a clamp, a degrade) is kept; otherwise it
    /// names the strongest action that changed the call. The caller's options are cloned, never changed.
    /// </summary>
    public static Admission Apply(Admission admission, TierVerdict tier, ModelProfile? degradedTo)
    {
        ChatOptions? asked = admission.Options;
        ModelProfile profile = degradedTo ?? admission.Profile;
        bool lowers = tier.ReasoningEffort is { } cap && ReasoningEfforts.Exceeds(asked, ReasoningClamp.Reasons(profile), cap);
        bool drops = tier.DropsTools && asked?.Tools is { Count: > 0 };
        if (!lowers && !drops && degradedTo is null)
        {
            return admission with { BudgetTier = tier.Tier };
        }

        // Clone rather than build new options: callers such as Semantic Kernel pass ChatOptions subclasses.
        ChatOptions sent = asked?.Clone() ?? new ChatOptions();
        if (lowers)
        {
            ReasoningEfforts.Cap(sent, tier.ReasoningEffort!.Value);
        }

        if (drops)
        {
            sent.Tools = null;
            sent.ToolMode = ChatToolMode.None;
        }

        if (degradedTo is not null)
        {
            sent.ModelId = degradedTo.ModelId;
        }

        BudgetDecision decision = admission.Verdict.Decision != BudgetDecision.Allowed ? admission.Verdict.Decision
            : degradedTo is not null ? BudgetDecision.Degraded
            : drops ? BudgetDecision.ToolsDropped
            : BudgetDecision.ReasoningLowered;
        return admission with
        {
            Options = sent,
            Profile = profile,
            RequestedModelId = degradedTo is null ? admission.RequestedModelId : admission.RequestedModelId ?? admission.Profile.ModelId,
            BudgetTier = tier.Tier,
            Verdict = decision == admission.Verdict.Decision ? admission.Verdict : admission.Verdict with { Decision = decision, LimitBudget = tier.BudgetName },
        };
    }
}
