namespace AiCostGuard;

/// <summary>Describes a <see cref="BudgetTier"/> reached for the first time in a window, raised by <see cref="CostGovernanceChatClient.BudgetTierReached"/>.</summary>
public sealed class BudgetTierEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="budgetName">The period budget.</param>
    /// <param name="key">The budget and attribution key whose window reached the tier, e.g. <c>team-monthly|team=search</c>.</param>
    /// <param name="tier">The tier's name, e.g. <c>team-monthly@80</c>.</param>
    /// <param name="percent">The tier's share of the ceiling, in percent.</param>
    /// <param name="action">What the tier does to calls.</param>
    /// <param name="usedPercent">The share of the ceiling spent when the tier was found reached, in percent.</param>
    /// <param name="windowStart">The start of the window (for a rolling window, of its newest bucket).</param>
    /// <param name="windowEnd">The end of the window (for a rolling window, of its newest bucket).</param>
    /// <param name="timestamp">When the tier was found reached.</param>
    public BudgetTierEventArgs(string budgetName, string key, string tier, double percent, BudgetTierAction action, double usedPercent, DateTimeOffset windowStart, DateTimeOffset windowEnd, DateTimeOffset timestamp)
    {
        BudgetName = budgetName;
        Key = key;
        Tier = tier;
        Percent = percent;
        Action = action;
        UsedPercent = usedPercent;
        WindowStart = windowStart;
        WindowEnd = windowEnd;
        Timestamp = timestamp;
    }

    /// <summary>Gets the period budget.</summary>
    public string BudgetName { get; }

    /// <summary>Gets the budget and attribution key, e.g. <c>team-monthly|team=search</c>.</summary>
    public string Key { get; }

    /// <summary>Gets the tier's name, e.g. <c>team-monthly@80</c>: the ledger's <see cref="CostRecord.BudgetTier"/>.</summary>
    public string Tier { get; }

    /// <summary>Gets the tier's share of the ceiling, in percent.</summary>
    public double Percent { get; }

    /// <summary>Gets what the tier does to calls.</summary>
    public BudgetTierAction Action { get; }

    /// <summary>Gets the share of the ceiling spent when the tier was found reached, in percent.</summary>
    public double UsedPercent { get; }

    /// <summary>Gets the start of the window.</summary>
    public DateTimeOffset WindowStart { get; }

    /// <summary>Gets the end of the window.</summary>
    public DateTimeOffset WindowEnd { get; }

    /// <summary>Gets when the tier was found reached.</summary>
    public DateTimeOffset Timestamp { get; }
}
