using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Tests.Reports.Forecasting;

/// <summary>
/// Backtests the forecast on generated 60-day ledgers whose trend, weekly profile and noise are known: from several
/// as-of days, the 14-day forecast is compared with what the ledger actually spent.
/// </summary>
public sealed class SpendForecastBacktestTests
{
    private const int Seeds = 40;
    private static readonly int[] AsOfDays = [28, 35, 42, 46];

    [Fact]
    public void The_14_day_total_is_within_a_few_percent_and_the_80_percent_intervals_cover_about_80_percent()
    {
        Backtest result = Run(noise: 0.10);
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.InRange(result.TotalError, 0, 0.05);
        Assert.InRange(result.TotalCoverage, 0.70, 0.92);
        Assert.InRange(result.DailyCoverage, 0.72, 0.88);

        // Repeating the last two weeks misses the trend: the model must do far better than that.
        Assert.True(result.TotalError < result.NaiveError / 2, result.ToString());
    }

    [Fact]
    public void Noisier_spend_widens_the_intervals_and_they_still_cover_about_80_percent()
    {
        Backtest quiet = Run(noise: 0.10), noisy = Run(noise: 0.30);
        TestContext.Current.TestOutputHelper?.WriteLine(noisy.ToString());

        Assert.True(noisy.MeanWidth > 2 * quiet.MeanWidth, $"{quiet} / {noisy}");
        Assert.InRange(noisy.DailyCoverage, 0.72, 0.88);
        Assert.InRange(noisy.TotalError, 0, 0.15);
    }

    private static Backtest Run(double noise)
    {
        double errors = 0, naiveErrors = 0, width = 0;
        int totalsCovered = 0, daysCovered = 0, days = 0, cases = 0;
        for (int seed = 1; seed <= Seeds; seed++)
        {
            List<CostRecord> calls = GeneratedLedger.Calls(seed, days: 60, noise: noise);
            decimal[] actual = GeneratedLedger.DailyTotals(calls, 60);
            foreach (int asOf in AsOfDays)
            {
                SpendForecastGroup g = SpendForecast.Create(calls, asOf: GeneratedLedger.Start.AddDays(asOf)).Groups[0];
                decimal spent = actual.AsSpan(asOf, 14).ToArray().Sum();
                decimal naive = actual.AsSpan(asOf - 14, 14).ToArray().Sum();
                errors += (double)Math.Abs(g.Total.Cost - spent) / (double)spent;
                naiveErrors += (double)Math.Abs(naive - spent) / (double)spent;
                width += (double)((g.Total.High - g.Total.Low) / g.Total.Cost);
                totalsCovered += g.Total.Low <= spent && spent <= g.Total.High ? 1 : 0;
                for (int h = 0; h < 14; h++)
                {
                    SpendRange day = g.Daily[h].Spend;
                    daysCovered += day.Low <= actual[asOf + h] && actual[asOf + h] <= day.High ? 1 : 0;
                    days++;
                }

                cases++;
            }
        }

        return new Backtest(noise, cases, errors / cases, naiveErrors / cases, (double)totalsCovered / cases, (double)daysCovered / days, width / cases);
    }

    private sealed record Backtest(double Noise, int Cases, double TotalError, double NaiveError, double TotalCoverage, double DailyCoverage, double MeanWidth)
    {
        public override string ToString() => FormattableString.Invariant(
            $"noise {Noise:P0}, {Cases} forecasts: 14-day total mean absolute error {TotalError:P2} (naive last-14-days {NaiveError:P2}), total 80% interval coverage {TotalCoverage:P1}, daily 80% interval coverage {DailyCoverage:P1}, mean total interval width {MeanWidth:P1}");
    }
}
