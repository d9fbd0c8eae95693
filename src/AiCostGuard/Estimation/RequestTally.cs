namespace AiCostGuard;

/// <summary>The running total of one request's input as <see cref="RequestTokenCounter"/> measures it.</summary>
internal struct RequestTally
{
    private const int MaximumUtf8BytesPerChar = 3;

    /// <summary>Fixed overheads plus counted text: exact.</summary>
    public long Known;

    /// <summary>The length-based estimate of text not yet counted.</summary>
    public long NewApproximate;

    /// <summary>An upper bound on the tokens of text not yet counted: a BPE token holds at least one UTF-8 byte.</summary>
    public long NewBound;

    public bool HasUncounted;

    /// <summary>Without a vocabulary: what the text is made of, by character class.</summary>
    public TextComposition Composition;

    /// <summary>Images whose size could not be read: estimated at <see cref="TokenEstimator.TokensPerImage"/>, bounded by <see cref="TokenEstimator.MaximumTokensPerImage"/>.</summary>
    public int UnsizedImages;

    public void AddFixed(long tokens) => Known += tokens;

    public void AddUnsizedImage()
    {
        UnsizedImages++;
        NewApproximate += TokenEstimator.TokensPerImage;
        NewBound += TokenEstimator.MaximumTokensPerImage;
    }

    /// <summary>The estimate once all text is counted: exact unless an image's size is unknown.</summary>
    public readonly InputTokenEstimate Counted() => UnsizedImages == 0
        ? new InputTokenEstimate(Known, EstimatePrecision.Exact, Known)
        : new InputTokenEstimate(Known + ((long)UnsizedImages * TokenEstimator.TokensPerImage), EstimatePrecision.Approximate, Known + ((long)UnsizedImages * TokenEstimator.MaximumTokensPerImage));

    public void AddExact(long tokens) => Known += tokens;

    public void AddClassified(in TextComposition composition, long characters)
    {
        Composition = Composition.Add(composition);
        NewBound += characters * MaximumUtf8BytesPerChar;
    }

    /// <summary>
    /// The estimate without a vocabulary, at the starting rates of an unknown family (a calibrator applies a model's
    /// own); bounded by three tokens per character plus a generous template.
    /// </summary>
    public readonly InputTokenEstimate Classified()
    {
        const int TemplateBoundPerMessage = 16;
        TextComposition composition = Composition with { FixedTokens = Known + NewApproximate };
        long tokens = StartingRates.Estimate(composition, TokenizerFamily.Unknown);
        long bound = Known + NewBound + TemplateBoundPerMessage * (composition.Messages + 1L);
        return new InputTokenEstimate(tokens, EstimatePrecision.Approximate, Math.Max(tokens, bound)) { Composition = composition };
    }

    public void AddUncounted(long characters)
    {
        HasUncounted = true;
        NewApproximate += Approximate(characters);
        NewBound += characters * MaximumUtf8BytesPerChar;
    }
    private static long Approximate(long characters) => (long)Math.Ceiling(characters / TokenEstimator.CharactersPerTokenForOtherFamilies);
}
