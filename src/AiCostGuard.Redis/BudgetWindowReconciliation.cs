namespace AiCostGuard.Redis;

/// <summary>One budget window (or bucket of a rolling window) compared: what the ledger's calls add up to, and what Redis holds as committed.</summary>
/// <param name="Budget">The period budget's name.</param>
/// <param name="Key">The window's budget and attribution key, e.g. <c>monthly|team=search</c>.</param>
/// <param name="Start">The start of the calendar period, or of the rolling window's bucket.</param>
/// <param name="End">The end (exclusive) of the period or bucket.</param>
/// <param name="Ledger">The usage of the ledger's calls in the window (cost rounded up to the nanodollar per call, as the store commits it).</param>
/// <param name="Redis">The usage Redis holds as committed; zero when it holds no key for the window.</param>
/// <param name="Repair">What a repair did; <see cref="BudgetRepair.None"/> for a comparison.</param>
public readonly record struct BudgetWindowReconciliation(string Budget, string Key, DateTimeOffset Start, DateTimeOffset End, BudgetUsage Ledger, BudgetUsage Redis, BudgetRepair Repair)
{
    /// <summary>Gets whether Redis and the ledger disagree (before any repair).</summary>
    public bool HasDrift => Ledger != Redis;

    /// <summary>Gets what Redis holds beyond the ledger: positive when Redis counts more, negative when it lost spend.</summary>
    public BudgetUsage Drift => Redis - Ledger;
}
