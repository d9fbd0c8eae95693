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
}
