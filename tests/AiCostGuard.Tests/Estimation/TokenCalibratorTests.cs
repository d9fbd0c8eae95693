using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class TokenCalibratorTests
{
    [Fact]
    public void The_ratio_converges_to_the_true_one_and_the_error_falls()
    {
        var calibrator = new TokenCalibrator();
        for (int i = 1; i <= 200; i++)
        {
            long estimate = 100 + (i * 37 % 900);
            calibrator.Observe("claude-x", estimate, (long)Math.Round(estimate * 1.18));
        }

        TokenCalibration calibration = calibrator.Get("claude-x");
        Assert.Equal(1.18, calibration.Ratio, 2);
        Assert.Equal(200, calibration.Samples);
        Assert.InRange(calibration.MeanAbsolutePercentageError, 0, 1.5);
        Assert.Equal((long)Math.Ceiling(1000 * calibration.Ratio), calibrator.Apply("claude-x", 1000));
    }

    [Fact]
    public void A_single_outlier_cannot_swing_a_warm_estimate()
    {
        var calibrator = new TokenCalibrator();
        for (int i = 0; i < 50; i++)
        {
            calibrator.Observe("m", 1000, 1100);
        }

        calibrator.Observe("m", 1000, 100_000);
        Assert.InRange(calibrator.Get("m").Ratio, 1.09, 1.25);
    }

    [Fact]
    public void The_number_of_models_tracked_is_bounded()
    {
        var calibrator = new TokenCalibrator();
        for (int i = 0; i < TokenCalibrator.MaximumModels + 50; i++)
        {
            calibrator.Observe("model-" + i, 100, 120);
        }

        Assert.Equal(TokenCalibrator.MaximumModels, calibrator.Count);
        Assert.Equal(0, calibrator.Get("model-" + (TokenCalibrator.MaximumModels + 10)).Samples);
        Assert.Equal(100, calibrator.Apply("model-" + (TokenCalibrator.MaximumModels + 10), 100));
    }

    [Property(MaxTest = 30)]
    public Property Concurrent_observations_are_all_counted_and_the_ratio_stays_within_the_samples()
    {
        Gen<int[]> ratios = Gen.ArrayOf(Gen.Choose(80, 160), 64);
        return Prop.ForAll(ratios.ToArbitrary(), percents =>
        {
            var calibrator = new TokenCalibrator();
            Parallel.For(0, percents.Length, i => calibrator.Observe("m", 1000, percents[i] * 10));
            TokenCalibration calibration = calibrator.Get("m");
            return calibration.Samples == percents.Length
                && calibration.Ratio >= percents.Min() / 100.0 - 1e-9
                && calibration.Ratio <= percents.Max() / 100.0 + 1e-9;
        });
    }
}
