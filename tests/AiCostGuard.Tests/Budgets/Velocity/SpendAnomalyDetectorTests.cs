using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Budgets.Velocity;

public sealed class SpendAnomalyDetectorTests
{
    [Fact]
    public void A_flat_history_expects_its_level_and_scores_a_departure_in_robust_deviations()
    {
        var detector = new SpendAnomalyDetector(seasonLength: 1);
        decimal[] history = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10];

        Assert.True(detector.TryScore(history, 10m, out decimal expected, out double calm));
        Assert.InRange(expected, 9.5m, 10.5m);
        Assert.True(detector.TryScore(history, 30m, out _, out double spike));

        // Successive periods differ from each other by about a tenth (a noise of about a dollar at ten), widened for
        // the error of the trend one period ahead: 20 dollars above is some 18 deviations.
        Assert.InRange(calm, 0, 0.5);
        Assert.InRange(spike, 15, 21);
        Assert.True(detector.IsAnomaly(spike));
        Assert.False(detector.IsAnomaly(calm));
    }

    [Fact]
    public void A_trend_is_followed_so_growth_at_the_usual_pace_is_no_anomaly()
    {
        var detector = new SpendAnomalyDetector(seasonLength: 1);
        decimal[] growing = [.. Enumerable.Range(0, 20).Select(i => 10m + (2m * i))];

        Assert.True(detector.TryScore(growing, 50m, out decimal expected, out double score));

        Assert.Equal(50m, expected);
        Assert.Equal(0, score);
    }

    [Fact]
    public void One_spike_in_the_history_does_not_move_the_baseline()
    {
        var detector = new SpendAnomalyDetector(seasonLength: 1);
        decimal[] history = [10, 10, 10, 10, 500, 10, 10, 10, 10, 10];

        Assert.True(detector.TryScore(history, 10m, out decimal expected, out double score));

        Assert.Equal(10m, expected);
        Assert.False(detector.IsAnomaly(score));
    }

    [Fact]
    public void Too_short_a_history_is_not_scored_and_bad_settings_are_refused()
    {
        var detector = new SpendAnomalyDetector();
        Assert.Equal(21, detector.MinimumHistory);
        Assert.False(detector.TryScore(new decimal[20], 1m, out _, out _));
        Assert.True(detector.TryScore(new decimal[21], 1m, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendAnomalyDetector(seasonLength: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendAnomalyDetector(threshold: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendAnomalyDetector(threshold: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendAnomalyDetector(seasonLength: 7, baselineLength: 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpendAnomalyDetector(baselineLength: SpendAnomalyDetector.MaximumBaselineLength + 1));
    }

    [Property(MaxTest = 300)]
    public Property Scores_do_not_depend_on_the_currency_unit_and_expectations_scale_with_it()
    {
        Gen<(int[] History, int Value, int Factor)> cases =
            from length in Gen.Choose(21, 60)
            from history in Gen.ArrayOf(Gen.Choose(0, 10_000), length)
            from value in Gen.Choose(0, 30_000)
            from factor in Gen.Choose(2, 1000)
            select (history, value, factor);
        var detector = new SpendAnomalyDetector();
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            decimal[] cents = [.. c.History.Select(h => h / 100m)];
            decimal[] scaled = [.. cents.Select(h => h * c.Factor)];
            detector.TryScore(cents, c.Value / 100m, out decimal expected, out double score);
            detector.TryScore(scaled, c.Value / 100m * c.Factor, out decimal scaledExpected, out double scaledScore);
            return score >= 0 && expected >= 0
                && Math.Abs(score - scaledScore) <= 0.011 + (1e-6 * score)
                && Math.Abs((scaledExpected / c.Factor) - expected) <= 0.000001m;
        });
    }
}
