namespace AiCostGuard;

/// <summary>
/// One ceiling of <see cref="BudgetLimits"/>, a row of <see cref="Ceilings"/>: the limit it is, the names it goes by,
/// and what a call counts against it — a weighted sum of its input and output tokens, or its cost.
/// </summary>
/// <param name="Kind">The limit, as a refusal names it.</param>
/// <param name="Name">Its snake_case name on spans, metrics and exports.</param>
/// <param name="Label">Its short name in messages.</param>
/// <param name="InputWeight">What one input token counts against it; zero for a cost ceiling.</param>
/// <param name="OutputWeight">What one output token counts against it; zero for a cost ceiling.</param>
/// <param name="CountsCost">Whether it bounds cost, in US dollars, rather than tokens.</param>
internal readonly record struct Ceiling(BudgetLimitKind Kind, string Name, string Label, int InputWeight, int OutputWeight, bool CountsCost)
{
    /// <summary>The tokens <paramref name="usage"/> counts against a token ceiling.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public long Tokens(in BudgetUsage usage) => (InputWeight * usage.InputTokens) + (OutputWeight * usage.OutputTokens);

    /// <summary>What <paramref name="usage"/> counts against this ceiling: its cost, or its weighted tokens.</summary>
    public decimal Amount(in BudgetUsage usage) => CountsCost ? usage.Cost : Tokens(usage);
}
