namespace AiCostGuard;

/// <summary>A kind of budget ceiling.</summary>
public enum BudgetLimitKind
{
    /// <summary>Input tokens (cached ones included).</summary>
    InputTokens,

    /// <summary>Output tokens (reasoning ones included).</summary>
    OutputTokens,

    /// <summary>Input plus output tokens.</summary>
    TotalTokens,

    /// <summary>Cost in US dollars.</summary>
    Cost,

    /// <summary>Model calls (the steps of an agent run).</summary>
    ModelCalls,

    /// <summary>Tool calls.</summary>
    ToolCalls,

    /// <summary>Tool calls the model asks for in one step.</summary>
    ParallelToolCalls,

    /// <summary>Model calls in flight at once (fan-out).</summary>
    ConcurrentModelCalls,

    /// <summary>Child scopes begun directly inside a scope (sub-agents).</summary>
    ChildScopes,

    /// <summary>Wall-clock time since the scope began, in seconds.</summary>
    Duration,
}
