namespace AiCostGuard;

/// <summary>
/// What the run caps make of the next model call, by <see cref="RunLimitAction"/>: an ordinary turn, a final turn
/// (no tools, output clamped), a turn without tools, or a refusal because the run's tool calls are used up.
/// </summary>
internal readonly record struct RunTurn(bool IsFinal, bool DropsTools, BudgetExceededException? Stop)
{
    /// <summary>Reads the caps of <paramref name="scope"/> and its parents just before a call is admitted.</summary>
    public static RunTurn Plan(BudgetScope? scope, RunLimitAction action, string? modelId)
    {
        if (scope is null)
        {
            return default;
        }

        RunState run = RunState.Of(scope);
        bool softens = action is RunLimitAction.SoftStop or RunLimitAction.Degrade;
        if (run.ToolCallsExhaustedIn is { } toolScope && run.HasRefusedToolCalls && action == RunLimitAction.Stop)
        {
            int cap = toolScope.Limits.MaximumToolCalls!.Value;
            return new RunTurn(false, false, new BudgetExceededException(BudgetLimitKind.ToolCalls, cap, toolScope.ToolCallCount, 1, toolScope.Name, modelId));
        }

        bool final = softens && (run.RemainingModelCalls == 1 || run.ToolCallsExhaustedIn is not null);
        bool dropTools = run.ToolCallsExhaustedIn is not null && action == RunLimitAction.DropTools;
        return new RunTurn(final, dropTools, null);
    }

    /// <summary>Gets whether the call is sent without its tool definitions, so they are not input.</summary>
    public bool OmitsTools => IsFinal || DropsTools;
}
