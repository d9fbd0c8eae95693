namespace AiCostGuard;

/// <summary>Describes a spend rate found above a <see cref="SpendVelocityRule"/>'s threshold, raised by <see cref="CostGovernanceChatClient.SpendVelocityExceeded"/>.</summary>
public sealed class SpendVelocityEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="ruleName">The rule.</param>
    /// <param name="key">The attribution key.</param>
    /// <param name="window">The window.</param>
    /// <param name="cost">The cost spent within the window.</param>
    /// <param name="threshold">The threshold for the window.</param>
    /// <param name="action">What the rule does about it.</param>
    /// <param name="timestamp">When the rate was read.</param>
    public SpendVelocityEventArgs(string ruleName, string key, SpendVelocityWindow window, decimal cost, decimal threshold, SpendVelocityAction action, DateTimeOffset timestamp)
    {
        RuleName = ruleName;
        Key = key;
        Window = window;
        Cost = cost;
        Threshold = threshold;
        Action = action;
        Timestamp = timestamp;
    }

    /// <summary>Gets the rule.</summary>
    public string RuleName { get; }

    /// <summary>Gets the attribution key, e.g. <c>team=search</c>.</summary>
    public string Key { get; }

    /// <summary>Gets the window the rate is measured over.</summary>
    public SpendVelocityWindow Window { get; }

    /// <summary>Gets the cost spent within the window, in US dollars.</summary>
    public decimal Cost { get; }

    /// <summary>Gets the threshold in force for the window (the configured or the learned one), in US dollars.</summary>
    public decimal Threshold { get; }

    /// <summary>Gets what the rule does about it.</summary>
    public SpendVelocityAction Action { get; }

    /// <summary>Gets when the rate was read.</summary>
    public DateTimeOffset Timestamp { get; }
}
