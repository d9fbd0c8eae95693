namespace AiCostGuard;

/// <summary>Tokens and cost spent or reserved against a budget.</summary>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Cost">Cost in US dollars.</param>
public readonly record struct BudgetUsage(long InputTokens, long OutputTokens, decimal Cost)
{
    /// <summary>Gets input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Adds two usages.</summary>
    /// <param name="left">The first usage.</param>
    /// <param name="right">The second usage.</param>
    /// <returns>The sum.</returns>
    public static BudgetUsage operator +(BudgetUsage left, BudgetUsage right) =>
        new(left.InputTokens + right.InputTokens, left.OutputTokens + right.OutputTokens, left.Cost + right.Cost);

    /// <summary>Subtracts one usage from another.</summary>
    /// <param name="left">The usage to subtract from.</param>
    /// <param name="right">The usage to subtract.</param>
    /// <returns>The difference.</returns>
    public static BudgetUsage operator -(BudgetUsage left, BudgetUsage right) =>
        new(left.InputTokens - right.InputTokens, left.OutputTokens - right.OutputTokens, left.Cost - right.Cost);

    /// <summary>Adds two usages.</summary>
    /// <param name="other">The usage to add.</param>
    /// <returns>The sum.</returns>
    public BudgetUsage Add(BudgetUsage other) => this + other;

    /// <summary>Subtracts a usage.</summary>
    /// <param name="other">The usage to subtract.</param>
    /// <returns>The difference.</returns>
    public BudgetUsage Subtract(BudgetUsage other) => this - other;
}
