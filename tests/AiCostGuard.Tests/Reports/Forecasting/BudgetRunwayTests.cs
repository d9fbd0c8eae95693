using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Tests.Reports.Forecasting;

public sealed class BudgetRunwayTests
{
    // Day 44 of the generated ledgers: 2026-04-15, a Wednesday.
    private static readonly DateOnly AsOf = GeneratedLedger.Start.AddDays(44);

    private static PeriodBudgetOptions Monthly(decimal limit, AttributionDimensions by = AttributionDimensions.None) =>
        new() { Name = "monthly", Period = BudgetPeriod.Monthly, Dimensions = by, Limits = new BudgetLimits { MaximumCost = limit } };

    /// <summary>The first day from the as-of day on whose cumulative true spend, after <paramref name="spent"/>, reaches <paramref name="limit"/>.</summary>
    private static DateOnly TrueRunOut(decimal spent, decimal limit)
    {
        double total = (double)spent;
        for (int day = 44; ; day++)
        {
            total += GeneratedLedger.Expected(day, 20, 0.25);
            if (total >= (double)limit)
            {
                return GeneratedLedger.Start.AddDays(day);
            }
        }
    }

    [Fact]
    public void A_monthly_budget_runs_out_on_the_day_the_trend_and_profile_say()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 11, noise: 0);
        decimal april = GeneratedLedger.DailyTotals(calls, 44).AsSpan(30, 14).ToArray().Sum();

        BudgetRunway runway = Assert.Single(BudgetRunway.Create(calls, [Monthly(800m)], AsOf));

        Assert.Equal(("monthly", "all"), (runway.Budget, runway.Key));
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 1)), (runway.PeriodStart, runway.PeriodEnd));
        Assert.Equal(april, runway.Spent);
        Assert.Equal(44, runway.HistoryDays);
        Assert.Equal(TrueRunOut(april, 800m), runway.RunsOut);
        Assert.True(runway.RunsOutEarliest <= runway.RunsOut && runway.RunsOut <= runway.RunsOutLatest);
        Assert.True(runway.Projected!.Value.Cost > 800m);
    }

    [Fact]
    public void With_noise_the_run_out_interval_brackets_the_expected_day_and_a_roomy_budget_holds()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 12, noise: 0.2);

        BudgetRunway tight = BudgetRunway.Create(calls, [Monthly(800m)], AsOf)[0];
        BudgetRunway roomy = BudgetRunway.Create(calls, [Monthly(5000m)], AsOf)[0];

        Assert.True(tight.RunsOutEarliest < tight.RunsOutLatest, $"{tight}");
        Assert.InRange(tight.RunsOut!.Value, tight.RunsOutEarliest!.Value, tight.RunsOutLatest!.Value);
        Assert.InRange(tight.RunsOut.Value.DayNumber, TrueRunOut(tight.Spent, 800m).DayNumber - 2, TrueRunOut(tight.Spent, 800m).DayNumber + 2);
        Assert.Null(roomy.RunsOut);
        Assert.Null(roomy.RunsOutEarliest);
        Assert.Null(roomy.RunsOutLatest);
        Assert.True(roomy.Projected!.Value.High < 5000m);
        Assert.True(roomy.Projected.Value.Low <= roomy.Projected.Value.Cost);
    }

    [Fact]
    public void A_budget_already_spent_gives_the_day_it_was_reached()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 13, noise: 0);
        decimal[] days = GeneratedLedger.DailyTotals(calls, 44);

        BudgetRunway runway = BudgetRunway.Create(calls, [Monthly(days[30] + days[31] + (days[32] / 2))], AsOf)[0];

        Assert.Equal(new DateOnly(2026, 4, 3), runway.RunsOut);
        Assert.Equal(runway.RunsOut, runway.RunsOutEarliest);
        Assert.Equal(runway.RunsOut, runway.RunsOutLatest);
    }

    [Fact]
    public void Each_key_of_the_budget_gets_its_own_runway_and_short_histories_no_projection()
    {
        var dayForty = new DateTimeOffset(GeneratedLedger.Start.AddDays(40).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        List<CostRecord> calls = [.. GeneratedLedger.Calls(seed: 14, days: 44, team: "search"), .. GeneratedLedger.Calls(seed: 15, days: 44, team: "support").Where(c => c.Timestamp >= dayForty)];
        var weekly = new PeriodBudgetOptions { Name = "weekly", Period = BudgetPeriod.Weekly, FirstDayOfWeek = DayOfWeek.Sunday, Dimensions = AttributionDimensions.Team, Limits = new BudgetLimits { MaximumCost = 200m } };
        var tokens = new PeriodBudgetOptions { Name = "tokens", Period = BudgetPeriod.Daily, Limits = new BudgetLimits { MaximumTotalTokens = 1000 } };

        IReadOnlyList<BudgetRunway> runways = BudgetRunway.Create(calls, [weekly, tokens], AsOf);

        Assert.Equal(["team=search", "team=support"], runways.Select(r => r.Key));
        Assert.All(runways, r => Assert.Equal((new DateOnly(2026, 4, 12), new DateOnly(2026, 4, 19)), (r.PeriodStart, r.PeriodEnd)));
        Assert.NotNull(runways[0].Projected);
        Assert.Equal(4, runways[1].HistoryDays);
        Assert.Null(runways[1].Projected);
        Assert.False(BudgetRunway.HasRunway(tokens));
    }

    [Fact]
    public void An_invalid_budget_is_refused_with_every_field_named()
    {
        var bad = new PeriodBudgetOptions { Name = "bad name", Limits = new BudgetLimits { MaximumCost = -1m } };

        ArgumentException e = Assert.Throws<ArgumentException>(() => BudgetRunway.Create(GeneratedLedger.Calls(seed: 16), [bad]));

        Assert.Contains("[0].Name:", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0].Limits.MaximumCost:", e.Message, StringComparison.Ordinal);
    }
}
