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

    /// <summary>The most tiers a budget may have.</summary>
    public const int MaximumTiers = 16;

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

    /// <summary>
    /// Gets the budget's tiers: shares of its ceiling (e.g. 50, 80, 95 %) with what happens to calls once the window's
    /// spend so far reached each — notify, lower the reasoning effort, degrade to a cheaper model, drop tools, refuse.
    /// </summary>
    /// <remarks>At most <see cref="MaximumTiers"/>, each share once; a tier above one that refuses, or one that repeats a lower tier's action, is an error.</remarks>
    public IList<BudgetTier> Tiers { get; private set; } = new List<BudgetTier>();

    /// <summary>
    /// Gets or sets whether the budget's ceilings refuse a call whose worst case does not fit. A soft budget (<see langword="false"/>)
    /// only measures: its spend is kept and its <see cref="Tiers"/> act on it (one of them may refuse), but its ceilings never refuse.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EnforceLimits { get; set; } = true;

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

        ValidateTiers(prefix, problems);
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

    private void ValidateTiers(string prefix, List<string> problems)
    {
        string budget = $"{prefix}{nameof(Tiers)} of budget '{Name}'";
        if (!EnforceLimits && Tiers.Count == 0)
        {
            problems.Add($"{prefix}{nameof(EnforceLimits)}: budget '{Name}' enforces no ceiling and has no tier, so it controls nothing; add {nameof(Tiers)} or enforce its limits.");
        }

        if (Tiers.Count > MaximumTiers)
        {
            problems.Add($"{budget}: {Tiers.Count} tiers, at most {MaximumTiers} are allowed.");
            return;
        }

        var valid = new List<(int Index, BudgetTier Tier)>();
        for (int i = 0; i < Tiers.Count; i++)
        {
            string at = $"{budget}[{i}]";
            if (Tiers[i] is not { } tier)
            {
                problems.Add($"{at}: the tier is missing.");
                continue;
            }

            int before = problems.Count;
            problems.AddRange(SettingRules.Check(tier, $"{at}.").Select(p => $"{p} It is {tier.Percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}."));
            if (!Enum.IsDefined(tier.Action))
            {
                problems.Add($"{at}.{nameof(BudgetTier.Action)}: '{tier.Action}' is not one of {string.Join(", ", Enum.GetNames<BudgetTierAction>())}.");
            }

            if (!Enum.IsDefined(tier.ReasoningEffort))
            {
                problems.Add($"{at}.{nameof(BudgetTier.ReasoningEffort)}: '{tier.ReasoningEffort}' is not a reasoning effort.");
            }

            if (EnforceLimits && tier.Percent > 100)
            {
                problems.Add($"{at}.{nameof(BudgetTier.Percent)}: {Show(tier)} can never be reached while the budget's ceilings are enforced; set {nameof(EnforceLimits)} to false for a soft budget.");
            }

            if (problems.Count == before)
            {
                valid.Add((i, tier));
            }
        }

        (int Index, BudgetTier Tier)? refusing = null;
        var actions = new Dictionary<BudgetTierAction, (int Index, BudgetTier Tier)>();
        foreach ((int i, BudgetTier tier) in valid.OrderBy(t => t.Tier.Percent).ThenBy(t => t.Index))
        {
            string at = $"{budget}[{i}]";
            if (valid.FirstOrDefault(t => t.Index < i && t.Tier.Percent == tier.Percent) is { Tier: not null } twin)
            {
                problems.Add($"{at}.{nameof(BudgetTier.Percent)}: {Show(tier)} is also the share of tier [{twin.Index}]; each share is one tier.");
                continue;
            }

            if (refusing is { } r)
            {
                problems.Add($"{at}: the {Show(r.Tier)} tier [{r.Index}] already refuses every call, so the {Show(tier)} tier can never act.");
                continue;
            }

            if (tier.Action != BudgetTierAction.Notify && actions.TryGetValue(tier.Action, out (int Index, BudgetTier Tier) lower))
            {
                bool lowersFurther = tier.Action == BudgetTierAction.LowerReasoningEffort
                    && ReasoningEfforts.Rank(tier.ReasoningEffort) < ReasoningEfforts.Rank(lower.Tier.ReasoningEffort);
                if (!lowersFurther)
                {
                    string why = tier.Action == BudgetTierAction.LowerReasoningEffort
                        ? $"lowers the effort to {tier.ReasoningEffort}, not below the {lower.Tier.ReasoningEffort} of"
                        : $"repeats {tier.Action}, which already applies from";
                    problems.Add($"{at}: the {Show(tier)} tier {why} the {Show(lower.Tier)} tier [{lower.Index}]; actions add up as spend rises.");
                    continue;
                }
            }

            actions[tier.Action] = (i, tier);
            if (tier.Action == BudgetTierAction.Refuse)
            {
                refusing = (i, tier);
            }
        }

        static string Show(BudgetTier tier) => tier.Percent.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " %";
    }
}
