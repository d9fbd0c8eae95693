namespace AiCostGuard;

/// <summary>What an <see cref="InputTokenCalibrator"/> has learned about one model from the usage its provider reported.</summary>
/// <remarks>The error figures are out of sample: each call is measured against the estimate made before learning from it.</remarks>
public sealed class InputTokenCalibration
{
    /// <summary>Gets the model's tokenizer family, which gives the starting rates.</summary>
    public required TokenizerFamily Family { get; init; }

    /// <summary>Gets the calls learned from (all of them; the fit uses the most recent <see cref="InputTokenCalibrator.Window"/>).</summary>
    public required long Samples { get; init; }

    /// <summary>
    /// Gets the rates applied, in tokens per unit: <c>Request</c> (per call), then each count of <see cref="TextComposition"/>
    /// by its property name (<c>Messages</c>, <c>CommonWords</c>, <c>LatinWords</c>, <c>LatinLetters</c>, <c>AccentedLetters</c>, <c>CapitalizedWords</c>, <c>Cjk</c>, <c>Kana</c>, <c>OtherLetters</c>,
    /// <c>Digits</c>, <c>DigitGroups</c>, <c>Punctuation</c>, <c>PunctuationRuns</c>, <c>Whitespace</c>, <c>Symbols</c>, <c>FixedTokens</c>).
    /// </summary>
    public required IReadOnlyDictionary<string, double> Rates { get; init; }

    /// <summary>Gets the relative standard deviation of the reported input around the estimate: the uncertainty the reservation's margin is made from.</summary>
    public required double RelativeStandardDeviation { get; init; }

    /// <summary>Gets the factor from the estimate to what is reserved (the upper bound at the calibrator's quantile).</summary>
    public required double ReserveFactor { get; init; }

    /// <summary>Gets the mean of |estimate − reported| / reported over the calls learned from, in percent; 0 before any.</summary>
    public required double MeanAbsolutePercentageError { get; init; }

    /// <summary>Gets the mean of |reserved − reported| / reported over the calls learned from, in percent; 0 before any.</summary>
    public required double ReservedMeanAbsolutePercentageError { get; init; }

    /// <summary>Gets the share of the calls learned from whose reported input the reservation covered, from 0 to 1; 1 before any.</summary>
    public required double Coverage { get; init; }
}
