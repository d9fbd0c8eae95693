namespace AiCostGuard;

/// <summary>What the caps of a scope chain leave for the next model call, read just before it is admitted.</summary>
internal readonly struct RunState
{
    /// <summary>The fewest model calls any scope in the chain still allows; <see langword="null"/> without a step cap.</summary>
    public long? RemainingModelCalls { get; init; }

    /// <summary>The scope whose tool-call cap is used up, if any.</summary>
    public BudgetScope? ToolCallsExhaustedIn { get; init; }

    /// <summary>Whether a tool call was refused in the innermost scope.</summary>
    public bool HasRefusedToolCalls { get; init; }

    public static RunState Of(BudgetScope innermost)
    {
        long? remaining = null;
        BudgetScope? exhausted = null;
        for (BudgetScope? s = innermost; s is not null; s = s.Parent)
        {
            BudgetLimits limits = s.Limits;
            if (limits.MaximumModelCalls is null && limits.MaximumToolCalls is null)
            {
                continue;
            }

            lock (s.Sync)
            {
                if (limits.MaximumModelCalls is { } calls)
                {
                    remaining = Math.Min(remaining ?? long.MaxValue, calls - s.ModelCalls);
                }

                if (exhausted is null && limits.MaximumToolCalls is { } tools && s.ToolCalls >= tools)
                {
                    exhausted = s;
                }
            }
        }

        // Refusals matter only once a tool cap is used up; reading them takes the innermost scope's lock.
        return new RunState
        {
            RemainingModelCalls = remaining,
            ToolCallsExhaustedIn = exhausted,
            HasRefusedToolCalls = exhausted is not null && innermost.RefusedToolCallCount > 0,
        };
    }
}
