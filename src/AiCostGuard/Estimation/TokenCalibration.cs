namespace AiCostGuard;

/// <summary>What the estimator has learned about one model from provider-reported usage.</summary>
/// <param name="Ratio">Reported input tokens per estimated token: the factor applied to length-based estimates. 1 before any sample.</param>
/// <param name="Samples">The calls learned from.</param>
/// <param name="MeanAbsolutePercentageError">
/// The mean, over those calls, of |estimate − reported| / reported, where each estimate is the one the calibration at that
/// time would have given before learning from the call: an out-of-sample error, in percent. 0 before any sample.
/// </param>
public readonly record struct TokenCalibration(double Ratio, long Samples, double MeanAbsolutePercentageError);
