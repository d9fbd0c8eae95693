namespace AiCostGuard;

/// <summary>What is committed and reserved in a <see cref="BudgetWindow"/>.</summary>
/// <param name="Committed">The usage committed by settled calls.</param>
/// <param name="Reserved">The worst case held for calls in flight (and, on a shared store, allowance leased to processes).</param>
public readonly record struct BudgetWindowUsage(BudgetUsage Committed, BudgetUsage Reserved)
{
    /// <summary>Gets committed plus reserved: what a new reservation must fit beside.</summary>
    public BudgetUsage Used => Committed + Reserved;
}
