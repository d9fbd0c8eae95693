using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// A budget that resets with time — daily, weekly, monthly, or over a rolling window — kept per attribution key:
/// one budget for every team, feature, tenant or user (or combination) that <see cref="Dimensions"/> names.
/// Add it to <see cref="CostGovernanceOptions.PeriodBudgets"/>; it binds from configuration.
/// </summary>
/// <remarks>
/// <para>
/// Calendar periods are aligned in <see cref="TimeZone"/>: a daily budget in <c>Europe/Paris</c> resets at Paris
/// midnight, also on the days of a daylight-saving change (a 23- or 25-hour day). When a zone skips midnight, the
/// period starts at the first local instant that exists; when midnight occurs twice, at the first of them.
/// </para>
/// <para>
/// A rolling window is kept as <see cref="RollingBuckets"/> buckets: spend leaves the window in steps of
/// <c>RollingWindow / RollingBuckets</c> (24 minutes for 24 hours in 60 buckets), never later than that after it
/// fell out of the exact window. Buckets are aligned on the Unix epoch, so every process shares them.
/// </para>
/// <para>A call is charged to the window it was admitted in, also when it completes after the window ended.</para>
/// </remarks>
public sealed class PeriodBudgetOptions
{
    /// <summary>The most buckets a rolling window may be kept in.</summary>
    public const int MaximumRollingBuckets = 1440;

    /// <summary>Gets or sets the budget's name, used in errors, the ledger and the store key.</summary>
    /// <value>The default value is <see langword="null"/>; a name is required.</value>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:\-]{1,64}$", ErrorMessage = "The name must be 1 to 64 letters, digits or '_ . : -'.")]
    public string? Name { get; set; }

    /// <summary>Gets or sets the period.</summary>
    /// <value>The default value is <see cref="BudgetPeriod.Monthly"/>.</value>
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Monthly;

    /// <summary>
    /// Gets or sets the attribution dimensions that key the budget: <c>"Team"</c> gives every team its own budget,
    /// <c>"Team, Feature"</c> every team and feature pair. A call without a value for a dimension is booked to the
    /// key <c>unattributed</c> for it.
    /// </summary>
    /// <value>The default value is <see cref="AttributionDimensions.None"/>: one budget shared by every call.</value>
    public AttributionDimensions Dimensions { get; set; }

    /// <summary>Gets or sets the IANA (or Windows) id of the time zone calendar periods are aligned in, e.g. <c>Europe/Paris</c>.</summary>
    /// <value>The default value is <c>UTC</c>.</value>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Gets or sets the day a <see cref="BudgetPeriod.Weekly"/> budget starts on.</summary>
    /// <value>The default value is <see cref="DayOfWeek.Monday"/> (ISO 8601).</value>
    public DayOfWeek FirstDayOfWeek { get; set; } = DayOfWeek.Monday;

    /// <summary>Gets or sets the length of a <see cref="BudgetPeriod.Rolling"/> window, e.g. <c>1.00:00:00</c> for the last 24 hours.</summary>
    /// <value>The default, <see langword="null"/>, is only valid for calendar periods.</value>
    public TimeSpan? RollingWindow { get; set; }

    /// <summary>Gets or sets how many buckets a rolling window is kept in: more is finer, and costs a little more per call.</summary>
    /// <value>The default value is 60.</value>
    [Range(1, MaximumRollingBuckets)]
    public int RollingBuckets { get; set; } = 60;

    /// <summary>Gets or sets the ceilings of each window: cost and input, output and total tokens.</summary>
    /// <value>The default sets no ceiling; at least one is required.</value>
    [Required]
    public BudgetLimits Limits { get; set; } = new();

    /// <summary>Lists what is wrong with this budget.</summary>
    /// <param name="prefix">A prefix for each message, naming where the budget is configured.</param>
    /// <returns>The problems; empty when the budget is valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        List<string> problems = SettingRules.Check(this, prefix);
        if (!Enum.IsDefined(Period))
        {
            problems.Add($"{prefix}{nameof(Period)}: '{Period}' is not one of {string.Join(", ", Enum.GetNames<BudgetPeriod>())}.");
        }

        if (!Enum.IsDefined(FirstDayOfWeek))
        {
            problems.Add($"{prefix}{nameof(FirstDayOfWeek)}: '{FirstDayOfWeek}' is not a day of the week.");
        }

        if ((Dimensions & ~(AttributionDimensions)0b11_1111) != 0)
        {
            problems.Add($"{prefix}{nameof(Dimensions)}: '{Dimensions}' is not a combination of attribution dimensions.");
        }

        if (TimeZone is not null && !TryFindTimeZone(TimeZone, out _))
        {
            problems.Add($"{prefix}{nameof(TimeZone)}: '{TimeZone}' is not a time zone known to this system (use an IANA id such as 'Europe/Paris').");
        }

        if (Period == BudgetPeriod.Rolling)
        {
            if (RollingWindow is not { } window)
            {
                problems.Add($"{prefix}{nameof(RollingWindow)}: a rolling budget needs a window, e.g. '1.00:00:00' for the last 24 hours.");
            }
            else if (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromDays(366))
            {
                problems.Add($"{prefix}{nameof(RollingWindow)}: {window} is outside 1 second to 366 days.");
            }
            else if (window.Ticks % RollingBuckets != 0 || window.Ticks / RollingBuckets % TimeSpan.TicksPerMillisecond != 0)
            {
                problems.Add($"{prefix}{nameof(RollingBuckets)}: {window} does not divide into {RollingBuckets} buckets of whole milliseconds.");
            }
        }
        else if (RollingWindow is not null)
        {
            problems.Add($"{prefix}{nameof(RollingWindow)}: only a {nameof(BudgetPeriod.Rolling)} budget has a window; a {Period} budget follows the calendar.");
        }

        if (Limits is not null)
        {
            problems.AddRange(Limits.Validate($"{prefix}{nameof(Limits)}."));
            if (!Limits.HasAny)
            {
                problems.Add($"{prefix}{nameof(Limits)}: set at least one ceiling (MaximumCost or a token ceiling).");
            }
        }

        return problems;
    }

    internal static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}
