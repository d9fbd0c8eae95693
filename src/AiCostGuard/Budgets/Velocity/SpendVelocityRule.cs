using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// A threshold on spend velocity — Δcost/Δtime over the last second, minute or hour — kept per attribution key, and
/// what to do above it. Add it to <see cref="CostGovernanceOptions.SpendVelocity"/>; it binds from configuration.
/// </summary>
/// <remarks>
/// <para>
/// Spend is the committed cost of settled calls, booked at the moment each call settles, in a ring of buckets per key
/// (10, 60 or 60 buckets for a second, minute or hour): adding a call and reading the rate are O(1) and allocate
/// nothing. The rate is checked when a call is admitted, so a runaway loop is stopped at its next call.
/// </para>
/// <para>
/// The baseline is <see cref="MaximumCost"/>, set by the operator. With <see cref="BaselineMultiplier"/> the
/// threshold also learns: it becomes the larger of <see cref="MaximumCost"/> and the multiplier times an exponentially
/// weighted moving average (weight 0.2 for the newest) of the spend of past whole windows, so a key that
/// normally spends more is not blocked by a floor meant for a quiet one, while a jump to many times its own norm is.
/// </para>
/// <para>
/// A key idle for 64 whole windows forgets its norm and its window history and starts again as a new key; from then
/// on it holds nothing that counts, and its state is evicted when new keys arrive.
/// </para>
/// </remarks>
public sealed class SpendVelocityRule
{
    /// <summary>Gets or sets the rule's name, used in errors, logs and alerts.</summary>
    /// <value>The default value is <see langword="null"/>; a name is required.</value>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:\-]{1,64}$", ErrorMessage = "The name must be 1 to 64 letters, digits or '_ . : -'.")]
    public string? Name { get; set; }

    /// <summary>Gets or sets the attribution dimensions that key the rate, like <see cref="PeriodBudgetOptions.Dimensions"/>.</summary>
    /// <value>The default value is <see cref="AttributionDimensions.None"/>: one rate over every call.</value>
    public AttributionDimensions Dimensions { get; set; }

    /// <summary>Gets or sets the window the rate is measured over.</summary>
    /// <value>The default value is <see cref="SpendVelocityWindow.Minute"/>.</value>
    public SpendVelocityWindow Window { get; set; } = SpendVelocityWindow.Minute;

    /// <summary>Gets or sets the most cost, in US dollars, the key may spend within one <see cref="Window"/>: the configured baseline.</summary>
    /// <value>The default value is <see langword="null"/>; a threshold is required.</value>
    [Required]
    [DecimalRange("0.000001", "1000000000")]
    public decimal? MaximumCost { get; set; }

    /// <summary>Gets or sets how many times its own learned norm a key may spend before the rule acts; <see langword="null"/> uses <see cref="MaximumCost"/> alone.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(1.0, 1000.0)]
    public double? BaselineMultiplier { get; set; }

    /// <summary>Gets or sets what happens above the threshold.</summary>
    /// <value>The default value is <see cref="SpendVelocityAction.Throttle"/>.</value>
    public SpendVelocityAction Action { get; set; } = SpendVelocityAction.Throttle;

    /// <summary>Gets or sets the longest a <see cref="SpendVelocityAction.Throttle"/> rule makes a call wait.</summary>
    /// <value>The default value is 5 seconds.</value>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan MaximumThrottleWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the score from which a window's spend is an anomaly against the key's own recent windows
    /// (<see cref="SpendAnomalyDetector"/>, no seasonality, the last 28 windows); <see langword="null"/> turns detection off.
    /// </summary>
    /// <remarks>
    /// A window is scored once it has ended, when the key's next call is admitted or settles, against at least seven
    /// earlier windows (idle ones count as zero); <see cref="AnomalyDetected"/> is raised when the key's next call is
    /// admitted. It only reports: what happens to calls is still the threshold's business.
    /// </remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(1.0, 1000.0)]
    public double? AnomalyThreshold { get; set; }

    /// <summary>
    /// Occurs when a window's spend of a key departs from its recent windows by <see cref="AnomalyThreshold"/> or more.
    /// The sender is the rule.
    /// </summary>
    /// <remarks>Raised synchronously while a call of the key is admitted, before anything is reserved for it: a handler should be quick, and an exception it throws fails that call.</remarks>
    public event EventHandler<SpendAnomalyEventArgs>? AnomalyDetected;

    /// <summary>Lists what is wrong with this rule.</summary>
    /// <param name="prefix">A prefix for each message, naming where the rule is configured.</param>
    /// <returns>The problems; empty when the rule is valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        List<string> problems = SettingRules.Check(this, prefix);
        if (!Enum.IsDefined(Window))
        {
            problems.Add($"{prefix}{nameof(Window)}: '{Window}' is not one of {string.Join(", ", Enum.GetNames<SpendVelocityWindow>())}.");
        }

        if (!Enum.IsDefined(Action))
        {
            problems.Add($"{prefix}{nameof(Action)}: '{Action}' is not one of {string.Join(", ", Enum.GetNames<SpendVelocityAction>())}.");
        }

        if ((Dimensions & ~(AttributionDimensions)0b11_1111) != 0)
        {
            problems.Add($"{prefix}{nameof(Dimensions)}: '{Dimensions}' is not a combination of attribution dimensions.");
        }

        return problems;
    }

    internal void OnAnomalyDetected(SpendAnomalyEventArgs anomaly) => AnomalyDetected?.Invoke(this, anomaly);
}
