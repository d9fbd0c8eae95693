namespace AiCostGuard.Tests.Budgets.Periods;

public sealed class PeriodCalendarTests
{
    private static BudgetWindow WindowAt(BudgetPeriod period, string zone, DateTimeOffset now, DayOfWeek firstDay = DayOfWeek.Monday) =>
        new PeriodBudget(new PeriodBudgetOptions { Name = "b", Period = period, TimeZone = zone, FirstDayOfWeek = firstDay, Limits = { MaximumCost = 1m } })
            .Window("k", now);

    public static TheoryData<BudgetPeriod, string, string, string> Boundaries => new()
    {
        // Month end and year end in Paris (UTC+1 in winter).
        { BudgetPeriod.Monthly, "Europe/Paris", "2026-01-01T00:00:00+01:00", "2026-02-01T00:00:00+01:00" },
        { BudgetPeriod.Monthly, "Europe/Paris", "2026-12-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00" },

        // A 30-day month after a 31-day one, and a month with the spring-forward change (31 days less one hour).
        { BudgetPeriod.Monthly, "America/New_York", "2026-04-01T00:00:00-04:00", "2026-05-01T00:00:00-04:00" },
        { BudgetPeriod.Monthly, "America/New_York", "2026-03-01T00:00:00-05:00", "2026-04-01T00:00:00-04:00" },

        // Daylight-saving days: 23 hours in spring, 25 in autumn.
        { BudgetPeriod.Daily, "Europe/Paris", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00" },
        { BudgetPeriod.Daily, "Europe/Paris", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00" },
        { BudgetPeriod.Daily, "America/New_York", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00" },
        { BudgetPeriod.Daily, "America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00" },

        // A week starting Monday, across the autumn change in Paris.
        { BudgetPeriod.Weekly, "Europe/Paris", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00" },
        { BudgetPeriod.Daily, "UTC", "2026-06-15T00:00:00+00:00", "2026-06-16T00:00:00+00:00" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void A_calendar_period_runs_from_local_midnight_to_local_midnight_and_not_a_tick_more(BudgetPeriod period, string zone, string start, string end)
    {
        DateTimeOffset from = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        DateTimeOffset to = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture);

        foreach (DateTimeOffset inside in new[] { from, from + ((to - from) / 2), to.AddTicks(-1) })
        {
            BudgetWindow window = WindowAt(period, zone, inside);
            Assert.Equal((from, to), (window.Start, window.End));
        }

        BudgetWindow next = WindowAt(period, zone, to);
        Assert.Equal(to, next.Start);
        Assert.Equal(from, WindowAt(period, zone, from).Start);
        Assert.NotEqual(from, WindowAt(period, zone, from.AddTicks(-1)).Start);
    }

    [Fact]
    public void Daylight_saving_days_are_23_and_25_hours_long()
    {
        Assert.Equal(TimeSpan.FromHours(23), Length(WindowAt(BudgetPeriod.Daily, "Europe/Paris", new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.Zero))));
        Assert.Equal(TimeSpan.FromHours(25), Length(WindowAt(BudgetPeriod.Daily, "Europe/Paris", new DateTimeOffset(2026, 10, 25, 12, 0, 0, TimeSpan.Zero))));
        Assert.Equal(TimeSpan.FromDays(30), Length(WindowAt(BudgetPeriod.Monthly, "America/New_York", new DateTimeOffset(2026, 4, 10, 0, 0, 0, TimeSpan.Zero))));

        static TimeSpan Length(BudgetWindow w) => w.End - w.Start;
    }

    [Fact]
    public void A_week_starts_on_the_configured_day()
    {
        BudgetWindow sunday = WindowAt(BudgetPeriod.Weekly, "UTC", new DateTimeOffset(2026, 6, 17, 9, 0, 0, TimeSpan.Zero), DayOfWeek.Sunday);
        Assert.Equal(new DateTimeOffset(2026, 6, 14, 0, 0, 0, TimeSpan.Zero), sunday.Start);
        Assert.Equal(DayOfWeek.Sunday, sunday.Start.DayOfWeek);
    }

    [Fact]
    public void In_a_zone_that_skips_midnight_the_day_starts_when_the_clocks_jump()
    {
        // Cuba moves its clocks from 00:00 to 01:00 on the second Sunday of March: 2026-03-08 00:00 local never happens.
        BudgetWindow day = WindowAt(BudgetPeriod.Daily, "America/Havana", new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), day.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 4, 0, 0, TimeSpan.Zero), day.End);
    }

    [Fact]
    public void Rolling_buckets_are_aligned_on_the_epoch_so_every_process_shares_them()
    {
        var budget = new PeriodBudget(new PeriodBudgetOptions { Name = "r", Period = BudgetPeriod.Rolling, RollingWindow = TimeSpan.FromHours(24), RollingBuckets = 24, Limits = { MaximumCost = 1m } });
        BudgetWindow window = budget.Window("k", new DateTimeOffset(2026, 6, 15, 13, 42, 7, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 6, 15, 13, 0, 0, TimeSpan.Zero), window.Start);
        Assert.Equal((TimeSpan.FromHours(1), 24), (window.BucketLength, window.BucketCount));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 13, 0, 0, TimeSpan.Zero), window.RetainUntil);
    }
}
