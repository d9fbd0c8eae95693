namespace AiCostGuard;

/// <summary>
/// Describes a window of a <see cref="SpendVelocityRule"/> whose spend departs from the key's own recent windows,
/// raised by <see cref="SpendVelocityRule.AnomalyDetected"/>.
/// </summary>
public sealed class SpendAnomalyEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="ruleName">The rule.</param>
    /// <param name="key">The attribution key.</param>
    /// <param name="window">The window length.</param>
    /// <param name="windowStart">When the anomalous window started.</param>
    /// <param name="cost">The spend of the window.</param>
    /// <param name="expected">The spend the key's recent windows led to expect.</param>
    /// <param name="score">How far <paramref name="cost"/> is from <paramref name="expected"/>, in robust standard deviations.</param>
    public SpendAnomalyEventArgs(string ruleName, string key, SpendVelocityWindow window, DateTimeOffset windowStart, decimal cost, decimal expected, double score)
    {
        RuleName = ruleName;
        Key = key;
        Window = window;
        WindowStart = windowStart;
        Cost = cost;
        Expected = expected;
        Score = score;
    }

    /// <summary>Gets the rule.</summary>
    public string RuleName { get; }

    /// <summary>Gets the attribution key, e.g. <c>team=search</c>.</summary>
    public string Key { get; }

    /// <summary>Gets the window length.</summary>
    public SpendVelocityWindow Window { get; }

    /// <summary>Gets when the anomalous window started; windows are aligned on the Unix epoch.</summary>
    public DateTimeOffset WindowStart { get; }

    /// <summary>Gets the spend of the window, in US dollars.</summary>
    public decimal Cost { get; }

    /// <summary>Gets the spend the key's recent windows led to expect, in US dollars.</summary>
    public decimal Expected { get; }

    /// <summary>Gets how far <see cref="Cost"/> is from <see cref="Expected"/>, in robust standard deviations (<see cref="SpendAnomalyDetector"/>).</summary>
    public double Score { get; }
}
