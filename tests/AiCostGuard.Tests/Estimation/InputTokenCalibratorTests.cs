using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class InputTokenCalibratorTests
{
    private const string Model = "claude-test";

    [Fact]
    public void Rates_are_learned_per_class_so_Chinese_traffic_does_not_inflate_English()
    {
        // A tokenizer that spends 2 tokens per Han character and 1 per common English word: a single average ratio
        // drifts to the mix and over-reserves English while under-reserving Chinese.
        var calibrator = new InputTokenCalibrator();
        var random = new Random(5);
        for (int i = 0; i < 60; i++)
        {
            bool chinese = random.Next(2) == 0;
            int units = random.Next(100, 2000);
            InputTokenEstimate estimate = Estimate(chinese ? new TextComposition { Cjk = units, Messages = 1 } : new TextComposition { CommonWords = units, Messages = 1 });
            calibrator.Learn(Model, estimate, Truth(estimate.Composition));
        }

        InputTokenCalibration calibration = calibrator.GetCalibration(Model);
        Assert.Equal(60, calibration.Samples);
        Assert.Equal(2.0, calibration.Rates["Cjk"], 1);
        Assert.Equal(1.0, calibration.Rates["CommonWords"], 1);

        foreach (TextComposition call in new[] { new TextComposition { Cjk = 1500, Messages = 1 }, new TextComposition { CommonWords = 1500, Messages = 1 } })
        {
            InputTokenEstimate applied = calibrator.Apply(Model, Estimate(call));
            long truth = Truth(call);
            Assert.InRange(applied.UpperBound, truth, truth * 1.05);
            Assert.InRange(applied.Tokens, truth * 0.99, truth * 1.01);
        }
    }

    [Fact]
    public void An_unseen_model_reserves_its_family_starting_rates_with_the_starting_uncertainty()
    {
        var calibrator = new InputTokenCalibrator(0.95);
        InputTokenEstimate estimate = Estimate(new TextComposition { CommonWords = 1000, Messages = 2 });
        InputTokenEstimate applied = calibrator.Apply("gemini-2.5-pro", estimate);

        double central = StartingRates.Estimate(estimate.Composition, TokenizerFamily.Gemini);
        Assert.Equal((long)central, applied.Tokens);
        Assert.Equal((long)Math.Ceiling(central * (1 + (1.6448536 * 0.15))), applied.UpperBound, tolerance: 1);
        Assert.Equal(TokenizerFamily.Gemini, calibrator.GetCalibration("gemini-2.5-pro").Family);
        Assert.Equal(0, calibrator.GetCalibration("gemini-2.5-pro").Samples);
    }

    [Fact]
    public void Counted_estimates_pass_through_unchanged()
    {
        var calibrator = new InputTokenCalibrator();
        var exact = new InputTokenEstimate(120, EstimatePrecision.Exact, 120);
        Assert.Equal(exact, calibrator.Apply(Model, exact));

        // An OpenAI estimate not yet counted is bounded by its own rule, not calibrated.
        var uncounted = new InputTokenEstimate(120, EstimatePrecision.Approximate, 900);
        Assert.Equal(uncounted, calibrator.Apply("gpt-4o", uncounted));
        calibrator.Learn("gpt-4o", uncounted, 130);
        Assert.Equal(0, calibrator.Count);
    }

    [Fact]
    public void Each_calibrator_learns_on_its_own()
    {
        var first = new InputTokenCalibrator();
        var second = new InputTokenCalibrator();
        InputTokenEstimate estimate = Estimate(new TextComposition { CommonWords = 500, Messages = 1 });
        first.Learn(Model, estimate, 900);
        Assert.Equal(1, first.GetCalibration(Model).Samples);
        Assert.Equal(0, second.GetCalibration(Model).Samples);
    }

    [Fact]
    public void The_number_of_models_learned_is_bounded()
    {
        var calibrator = new InputTokenCalibrator();
        InputTokenEstimate estimate = Estimate(new TextComposition { CommonWords = 500, Messages = 1 });
        for (int i = 0; i < InputTokenCalibrator.MaximumModels + 20; i++)
        {
            calibrator.Learn("claude-" + i, estimate, 600);
        }

        Assert.Equal(InputTokenCalibrator.MaximumModels, calibrator.Count);
        Assert.Equal(0, calibrator.GetCalibration("claude-" + (InputTokenCalibrator.MaximumModels + 5)).Samples);
    }

    [Fact]
    public void A_wild_report_is_not_learned_from()
    {
        var calibrator = new InputTokenCalibrator();
        InputTokenEstimate estimate = Estimate(new TextComposition { CommonWords = 1000, Messages = 1 });
        for (int i = 0; i < 30; i++)
        {
            calibrator.Learn(Model, estimate, 1100);
        }

        long before = calibrator.Apply(Model, estimate).Tokens;
        calibrator.Learn(Model, estimate, 1_000_000);
        Assert.Equal(before, calibrator.Apply(Model, estimate).Tokens);
        Assert.Equal(31, calibrator.GetCalibration(Model).Samples);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_quantile_outside_the_open_interval_is_refused(double quantile) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputTokenCalibrator(quantile));

    [Property(MaxTest = 25)]
    public Property Concurrent_learning_counts_every_call_and_reserves_at_least_the_estimate()
    {
        Gen<int[]> reports = Gen.Choose(500, 3000).ArrayOf(48);
        return Prop.ForAll(reports.ToArbitrary(), values =>
        {
            var calibrator = new InputTokenCalibrator();
            InputTokenEstimate estimate = Estimate(new TextComposition { CommonWords = 800, Cjk = 300, Messages = 3 });
            Parallel.For(0, values.Length, i =>
            {
                calibrator.Learn(Model, estimate, values[i]);
                InputTokenEstimate applied = calibrator.Apply(Model, estimate);
                if (applied.UpperBound < applied.Tokens || applied.Tokens < 1)
                {
                    throw new InvalidOperationException("reservation below estimate");
                }
            });

            InputTokenCalibration calibration = calibrator.GetCalibration(Model);
            return calibration.Samples == values.Length && calibration.Rates.Values.All(r => r >= 0) && calibration.ReserveFactor >= 1;
        });
    }

    [Fact]
    public void The_static_token_count_path_delegates_to_the_shared_calibrator()
    {
        string model = "claude-static-" + Guid.NewGuid();
        for (int i = 0; i < 20; i++)
        {
            TokenEstimator.Calibrate(model, 1000, 1200);
        }

        TokenCalibration calibration = TokenEstimator.GetCalibration(model);
        Assert.Equal(20, calibration.Samples);
        Assert.Equal(1.2, calibration.Ratio, 2);
        Assert.InRange(TokenEstimator.Calibrated(model, 1000), 1200, 1260);
        Assert.Equal(20, InputTokenCalibrator.Shared.GetCalibration(model).Samples);
    }

    [Fact]
    public void Token_counts_and_compositions_of_one_model_are_fitted_apart()
    {
        var calibrator = new InputTokenCalibrator();
        InputTokenEstimate composed = Estimate(new TextComposition { Cjk = 1000, Messages = 1 });
        var count = new InputTokenEstimate(2000, EstimatePrecision.Approximate, 2000);
        for (int i = 0; i < 20; i++)
        {
            calibrator.Learn(Model, count, 2500);
            calibrator.Learn(Model, composed, Truth(composed.Composition));
        }

        // Learning that a 2,000-token count means 2,500 does not move the per-class rates, nor the other way round.
        Assert.InRange(calibrator.Apply(Model, composed).Tokens, Truth(composed.Composition) * 0.98, Truth(composed.Composition) * 1.02);
        Assert.InRange(calibrator.Apply(Model, count).Tokens, 2450, 2550);
        Assert.Equal(1, calibrator.Count);
    }

    private static InputTokenEstimate Estimate(TextComposition composition) =>
        new(StartingRates.Estimate(composition, TokenizerFamily.Claude), EstimatePrecision.Approximate, long.MaxValue) { Composition = composition };

    private static long Truth(TextComposition c) => 7 + (2L * c.Cjk) + c.CommonWords + (3L * c.Messages);
}
