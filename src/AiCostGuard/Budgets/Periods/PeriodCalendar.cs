namespace AiCostGuard;

/// <summary>Finds the window of a period budget that an instant falls in.</summary>
internal static class PeriodCalendar
{
    /// <summary>Gets the start (inclusive) and end (exclusive) of the period containing <paramref name="now"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Calendar(BudgetPeriod period, TimeZoneInfo zone, DayOfWeek firstDayOfWeek, DateTimeOffset now)
    {
        DateTime local = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        DateTime start = period switch
        {
            BudgetPeriod.Daily => local,
            BudgetPeriod.Weekly => local.AddDays(-(((int)local.DayOfWeek - (int)firstDayOfWeek + 7) % 7)),
            _ => new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified),
        };
        DateTime next = period switch
        {
            BudgetPeriod.Daily => start.AddDays(1),
            BudgetPeriod.Weekly => start.AddDays(7),
            _ => start.AddMonths(1),
        };

        return (Instant(start, zone), Instant(next, zone));
    }

    /// <summary>Gets the bucket of a rolling window containing <paramref name="now"/>, aligned on the Unix epoch.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Bucket(TimeSpan bucketLength, DateTimeOffset now)
    {
        long ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long start = ticks - (((ticks % bucketLength.Ticks) + bucketLength.Ticks) % bucketLength.Ticks);
        var begin = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + start, TimeSpan.Zero);
        return (begin, begin + bucketLength);
    }

    /// <summary>The first instant at which the zone's clock reads <paramref name="local"/> (or, in a gap, the instant the gap begins).</summary>
    private static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            // Clocks jump over this local time: the period starts when the jump happens, at the offset in force before it.
            TimeSpan before = zone.GetUtcOffset(local.AddHours(-6));
            return new DateTimeOffset(local - before, TimeSpan.Zero);
        }

        if (zone.IsAmbiguousTime(local))
        {
            TimeSpan[] offsets = zone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local, offsets.Max()).ToUniversalTime();
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
