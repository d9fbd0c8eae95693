namespace AiCostGuard;

/// <summary>The input tokens of a model call, estimated before it is sent.</summary>
/// <param name="Tokens">The estimate.</param>
/// <param name="Precision">How exact <paramref name="Tokens"/> is.</param>
/// <param name="UpperBound">
/// What to reserve: a count the call cannot exceed where the vocabulary is known (for byte-level BPE, every token holds at
/// least one UTF-8 byte), equal to <paramref name="Tokens"/> when exact; for an estimated family, once an
/// <see cref="InputTokenCalibrator"/> has applied a model's calibration, the upper bound of the estimate at the
/// calibrator's <see cref="InputTokenCalibrator.Quantile"/>.
/// </param>
public readonly record struct InputTokenEstimate(long Tokens, EstimatePrecision Precision, long UpperBound)
{
    /// <summary>Gets what the text of the call is made of, for a model family estimated rather than counted; empty when counted.</summary>
    /// <remarks>This is what <see cref="InputTokenCalibrator"/> computes its estimate from and learns from.</remarks>
    public TextComposition Composition { get; init; }

    /// <summary>
    /// Gets the part of <see cref="Tokens"/> and <see cref="UpperBound"/> owed to content that cannot be counted before
    /// sending (images of unread size, PDFs, audio, video, hosted files), as its per-kind rules bound it; empty when there
    /// is none. A calibrator adds it to its estimate of the text unscaled.
    /// </summary>
    public ContentTokenBound BoundedContent { get; init; }
}
