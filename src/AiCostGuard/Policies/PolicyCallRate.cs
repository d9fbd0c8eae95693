using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// The most calls a <see cref="ModelPolicy"/> lets through in any window of time, kept per attribution key:
/// <c>{ "MaximumCalls": 20, "Window": "01:00:00" }</c> is at most 20 calls in any hour.
/// </summary>
/// <remarks>
/// The window slides: a call is let through when fewer than <see cref="MaximumCalls"/> calls of its key were let
/// through in the <see cref="Window"/> before it. A call counts once the policies let it through, also when a budget
/// refuses it afterwards; a denied call does not count.
/// </remarks>
public sealed class PolicyCallRate
{
    /// <summary>The most calls a window may hold.</summary>
    public const int MaximumCallsLimit = 100_000;

    /// <summary>Gets or sets the most calls let through in any <see cref="Window"/>.</summary>
    /// <value>The default value is 0; a positive number is required.</value>
    [Range(1, MaximumCallsLimit)]
    public int MaximumCalls { get; set; }

    /// <summary>Gets or sets the length of the window, e.g. <c>01:00:00</c> for an hour.</summary>
    /// <value>The default, <see langword="null"/>, is invalid: a window is required.</value>
    [Required]
    public TimeSpan? Window { get; set; }

    /// <summary>
    /// Gets or sets the attribution dimensions that key the count: <c>"User"</c> gives every user its own window.
    /// A call without a value for a dimension is counted under <c>unattributed</c> for it.
    /// </summary>
    /// <value>The default value is <see cref="AttributionDimensions.None"/>: one window shared by every call the policy matches.</value>
    public AttributionDimensions Dimensions { get; set; }
}
