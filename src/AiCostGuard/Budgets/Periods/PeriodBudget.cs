namespace AiCostGuard;

/// <summary>A validated <see cref="PeriodBudgetOptions"/>, ready to find a call's window.</summary>
internal sealed class PeriodBudget
{
    public PeriodBudget(PeriodBudgetOptions options)
    {
        Name = options.Name!;
        Period = options.Period;
        Dimensions = options.Dimensions;
        Limits = options.Limits.Clone();
        ReservedLimits = options.EnforceLimits ? Limits : new BudgetLimits();
        Tiers = options.Tiers.Count > 0 ? new TierLadder(Name, options.Tiers, options.Period == BudgetPeriod.Rolling) : null;
        FirstDayOfWeek = options.FirstDayOfWeek;
        PeriodBudgetOptions.TryFindTimeZone(options.TimeZone, out TimeZoneInfo zone);
        Zone = zone;
        if (options.Period == BudgetPeriod.Rolling)
        {
            BucketCount = options.RollingBuckets;
            BucketLength = options.RollingWindow!.Value / options.RollingBuckets;
        }
        else
        {
            BucketCount = 1;
        }
    }

    private volatile CachedWindow? _current;

    public string Name { get; }

    public BudgetPeriod Period { get; }

    public AttributionDimensions Dimensions { get; }

    public BudgetLimits Limits { get; }

    /// <summary>The ceilings a reservation must fit: <see cref="Limits"/>, or none for a soft budget, whose tiers alone act.</summary>
    public BudgetLimits ReservedLimits { get; }

    /// <summary>The budget's tiers; <see langword="null"/> without any.</summary>
    public TierLadder? Tiers { get; }

    public DayOfWeek FirstDayOfWeek { get; }

    public TimeZoneInfo Zone { get; }

    public TimeSpan BucketLength { get; }

    public int BucketCount { get; }

    public BudgetWindow Window(string key, DateTimeOffset now)
    {
        // Time-zone arithmetic runs once per period (or bucket), not once per call.
        CachedWindow? current = _current;
        if (current is null || now < current.Start || now >= current.End)
        {
            (DateTimeOffset start, DateTimeOffset end) = Period == BudgetPeriod.Rolling
                ? PeriodCalendar.Bucket(BucketLength, now)
                : PeriodCalendar.Calendar(Period, Zone, FirstDayOfWeek, now);
            current = new CachedWindow(start, end);
            _current = current;
        }

        return new BudgetWindow(key, current.Start, current.End, BucketLength, BucketCount);
    }

    private sealed record CachedWindow(DateTimeOffset Start, DateTimeOffset End);
}
