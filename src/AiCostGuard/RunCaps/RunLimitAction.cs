namespace AiCostGuard;

/// <summary>How an agent run ends when it nears a cap or ceiling of its <see cref="BudgetScope"/>.</summary>
public enum RunLimitAction
{
    /// <summary>
    /// Hard stop: a model call that would pass a cap or ceiling is rejected with <see cref="BudgetExceededException"/>
    /// (clamped instead, when <see cref="CostGovernanceOptions.OverBudgetAction"/> is <see cref="OverBudgetAction.Clamp"/>
    /// and only output is short); a tool call past a tool cap is not run, and the next model call is rejected.
    /// </summary>
    Stop,

    /// <summary>
    /// Soft stop: the last model call the run allows or can pay for — its last step, the call after its tool calls are
    /// exhausted, or a call whose worst case no longer fits — is sent as a final turn: without tools and with its
    /// output clamped to what the budget can pay, so the run ends with an answer.
    /// </summary>
    SoftStop,

    /// <summary>
    /// Degrade: a call whose worst case no longer fits the cost ceiling is sent to the first cheaper model of
    /// <see cref="CostGovernanceOptions.DegradeModels"/> that fits, tools kept; when none fits, as <see cref="SoftStop"/>.
    /// </summary>
    Degrade,

    /// <summary>
    /// Drop tools: once the run's tool calls are exhausted, later model calls are sent without tools and the run goes
    /// on; other caps and ceilings act as <see cref="Stop"/>.
    /// </summary>
    DropTools,
}
