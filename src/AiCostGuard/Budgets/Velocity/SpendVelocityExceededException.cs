using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// Thrown before a model call is sent when the spend rate of its attribution key is above a
/// <see cref="SpendVelocityRule"/>'s threshold and the rule blocks (or throttling could not bring it back in time).
/// </summary>
public sealed class SpendVelocityExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="ruleName">The rule.</param>
    /// <param name="key">The attribution key whose rate is too high, e.g. <c>team=search</c>.</param>
    /// <param name="window">The window the rate is measured over.</param>
    /// <param name="cost">The cost spent within the window, in US dollars.</param>
    /// <param name="threshold">The most the rule allows within the window, in US dollars.</param>
    public SpendVelocityExceededException(string ruleName, string key, SpendVelocityWindow window, decimal cost, decimal threshold)
        : base(string.Create(CultureInfo.InvariantCulture, $"Spend velocity of '{key}' is above rule '{ruleName}': ${cost:0.######} in the last {Unit(window)}, threshold ${threshold:0.######} per {Unit(window)}."))
    {
        RuleName = ruleName;
        Key = key;
        Window = window;
        Cost = cost;
        Threshold = threshold;
    }

    /// <summary>Gets the rule.</summary>
    public string RuleName { get; }

    /// <summary>Gets the attribution key whose rate is too high.</summary>
    public string Key { get; }

    /// <summary>Gets the window the rate is measured over.</summary>
    public SpendVelocityWindow Window { get; }

    /// <summary>Gets the cost spent within the window, in US dollars: the rate, per window.</summary>
    public decimal Cost { get; }

    /// <summary>Gets the most the rule allows within the window, in US dollars.</summary>
    public decimal Threshold { get; }

    internal static string Unit(SpendVelocityWindow window) => window switch
    {
        SpendVelocityWindow.Second => "second",
        SpendVelocityWindow.Minute => "minute",
        _ => "hour",
    };
}
