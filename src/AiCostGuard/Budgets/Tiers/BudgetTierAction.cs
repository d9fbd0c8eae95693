namespace AiCostGuard;

/// <summary>What a <see cref="BudgetTier"/> does to calls once its budget's spend reached the tier's share.</summary>
/// <remarks>
/// Every tier notifies once per window when it is first reached; the action then applies to every call while the spend
/// stays at or above the tier. Actions add up: at 95 % the actions of the 50 % and 80 % tiers still apply.
/// </remarks>
public enum BudgetTierAction
{
    /// <summary>Only notify: the client's <see cref="CostGovernanceChatClient.BudgetTierReached"/> event, a metric, a log entry and a ledger marker.</summary>
    Notify,

    /// <summary>Send calls with at most the tier's <see cref="BudgetTier.ReasoningEffort"/> (<c>ChatOptions.Reasoning</c>), on models that reason or requests that ask for reasoning.</summary>
    LowerReasoningEffort,

    /// <summary>Send calls to the next model of <see cref="CostGovernanceOptions.DegradeModels"/> below the one asked for.</summary>
    Degrade,

    /// <summary>Send calls without their tools.</summary>
    DropTools,

    /// <summary>Refuse calls with a <see cref="BudgetExceededException"/> until the window ends.</summary>
    Refuse,
}
