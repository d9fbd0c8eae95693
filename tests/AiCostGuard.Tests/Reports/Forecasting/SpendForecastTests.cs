using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Tests.Reports.Forecasting;

public sealed class SpendForecastTests
{
    [Fact]
    public void Without_noise_the_forecast_finds_the_trend_and_the_weekly_profile()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 1, days: 42, noise: 0);

        SpendForecast forecast = SpendForecast.Create(calls);

        Assert.Equal(GeneratedLedger.Start.AddDays(42), forecast.AsOf);
        Assert.Equal(14, forecast.HorizonDays);
        SpendForecastGroup group = Assert.Single(forecast.Groups);
        Assert.Empty(group.Key);
        Assert.Equal(42, group.HistoryDays);
        Assert.Equal(14, group.Daily.Count);
        for (int h = 0; h < 14; h++)
        {
            double expected = GeneratedLedger.Expected(42 + h, 20, 0.25);
            Assert.Equal(forecast.AsOf.AddDays(h), group.Daily[h].Date);
            Assert.Equal(expected, (double)group.Daily[h].Spend.Cost, expected * 1e-4);
        }

        Assert.Equal(DayOfWeek.Monday, group.Daily[0].Date.DayOfWeek);
    }

    [Fact]
    public void Groups_are_forecast_apart_and_keyed_by_the_dimensions_grouped_by()
    {
        List<CostRecord> calls = [.. GeneratedLedger.Calls(seed: 2, level: 10, team: "search"), .. GeneratedLedger.Calls(seed: 3, level: 40, slope: 0, team: "support")];

        SpendForecast forecast = SpendForecast.Create(calls, ReportDimensions.Team, horizonDays: 7);

        Assert.Equal(["search", "support"], forecast.Groups.Select(g => g.Key["team"]));
        Assert.Equal(7, forecast.Groups[0].Daily.Count);
        decimal searchWeek = forecast.Groups[0].Total.Cost, supportWeek = forecast.Groups[1].Total.Cost;

        // search ends at 10 + 0.25 × 60 = 25 a day; support stays at 40.
        Assert.InRange((double)searchWeek, 7 * 25 * 0.9, 7 * 25 * 1.1);
        Assert.InRange((double)supportWeek, 7 * 40 * 0.9, 7 * 40 * 1.1);
    }

    [Fact]
    public void The_history_is_what_lies_before_the_as_of_day()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 4, days: 60, noise: 0);

        SpendForecast early = SpendForecast.Create(calls, asOf: GeneratedLedger.Start.AddDays(30));

        Assert.Equal(30, early.Groups[0].HistoryDays);
        Assert.Equal(GeneratedLedger.Expected(30, 20, 0.25), (double)early.Groups[0].Daily[0].Spend.Cost, 1e-2);
    }

    [Fact]
    public void Too_little_history_says_how_much_is_needed_instead_of_a_number()
    {
        var dayTwenty = new DateTimeOffset(GeneratedLedger.Start.AddDays(20).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        List<CostRecord> calls = [.. GeneratedLedger.Calls(seed: 5, days: 30, team: "old"), .. GeneratedLedger.Calls(seed: 6, days: 30, team: "new").Where(c => c.Timestamp >= dayTwenty)];

        SpendForecast forecast = SpendForecast.Create(calls, ReportDimensions.Team);

        SpendForecastGroup old = Assert.Single(forecast.Groups);
        Assert.Equal("old", old.Key["team"]);
        ShortHistory young = Assert.Single(forecast.ShortHistories);
        Assert.Equal("new", young.Key["team"]);
        Assert.Equal(10, young.HistoryDays);
        Assert.Equal(SpendForecast.MinimumHistoryDays, young.RequiredDays);
    }

    [Fact]
    public void Bad_arguments_are_refused_at_the_boundary()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 8, days: 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpendForecast.Create(calls, ReportDimensions.Day));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpendForecast.Create(calls, horizonDays: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpendForecast.Create(calls, horizonDays: SpendForecast.MaximumHorizonDays + 1));
        ArgumentException before = Assert.Throws<ArgumentException>(() => SpendForecast.Create(calls, asOf: GeneratedLedger.Start));
        Assert.Contains("No call was sent before 2026-03-02", before.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SpendForecast.Create([]));
    }

    [Property(MaxTest = 200)]
    public Property Every_interval_holds_its_forecast_and_the_total_is_the_sum_of_the_days()
    {
        Gen<(int[] Days, int Horizon)> series =
            from length in Gen.Choose(SpendForecast.MinimumHistoryDays, 80)
            from days in Gen.ArrayOf(Gen.Choose(0, 100_000), length)
            from horizon in Gen.Choose(1, 40)
            select (days, horizon);
        return Prop.ForAll(series.ToArbitrary(), s =>
        {
            CostRecord[] calls = [.. s.Days.Select((cents, day) => new CostRecord
            {
                Timestamp = new DateTimeOffset(GeneratedLedger.Start.AddDays(day).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero),
                Cost = cents / 100m,
                Outcome = CallOutcome.Succeeded,
            })];
            SpendForecastGroup g = SpendForecast.Create(calls, horizonDays: s.Horizon).Groups[0];
            return g.Daily.All(d => d.Spend.Low >= 0 && d.Spend.Low <= d.Spend.Cost && d.Spend.Cost <= d.Spend.High)
                && g.Total.Low <= g.Total.Cost && g.Total.Cost <= g.Total.High
                && g.Total.Cost == g.Daily.Sum(d => d.Spend.Cost);
        });
    }
}
