namespace AiCostGuard;

/// <summary>The running total of one request's input as <see cref="RequestTokenCounter"/> measures it.</summary>
/// <param name="family">The model's family, whose published rules bound content that is not text.</param>
/// <param name="bounds">The worst cases of files the request only refers to.</param>
internal struct RequestTally(TokenizerFamily family, ContentBoundOptions bounds)
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

    /// <summary>Content that cannot be counted (images of unread size, PDFs, audio, video, files): bounded by <see cref="ContentBounds"/>.</summary>
    public ContentTokenBound Bounded;

    public readonly TokenizerFamily Family => family;

    public readonly ContentBoundOptions Bounds => bounds;

    public void AddFixed(long tokens) => Known += tokens;

    public void AddBounded(ContentTokenBound bound) => Bounded = Bounded.Add(bound);

    /// <summary>The estimate once all text is counted: exact unless some content is only bounded.</summary>
    public readonly InputTokenEstimate Counted() => Bounded.IsEmpty
        ? new InputTokenEstimate(Known, EstimatePrecision.Exact, Known)
        : new InputTokenEstimate(Known + Bounded.Tokens, EstimatePrecision.Bounded, Known + Bounded.UpperBound) { BoundedContent = Bounded };

    public void AddExact(long tokens) => Known += tokens;

    public void AddClassified(in TextComposition composition, long characters)
    {
        Composition = Composition.Add(composition);
        NewBound += characters * MaximumUtf8BytesPerChar;
    }

    /// <summary>
    /// The estimate without a vocabulary, at the starting rates of an unknown family (a calibrator applies a model's
    /// own); bounded by three tokens per character plus a generous template. Bounded content is kept out of the
    /// composition, so calibration never scales it: it is added as its rules give it.
    /// </summary>
    public readonly InputTokenEstimate Classified()
    {
        const int TemplateBoundPerMessage = 16;
        TextComposition composition = Composition with { FixedTokens = Known + NewApproximate };
        long tokens = StartingRates.Estimate(composition, TokenizerFamily.Unknown) + Bounded.Tokens;
        long bound = Known + NewBound + TemplateBoundPerMessage * (composition.Messages + 1L) + Bounded.UpperBound;
        EstimatePrecision precision = Bounded.IsEmpty ? EstimatePrecision.Approximate : EstimatePrecision.Bounded;
        return new InputTokenEstimate(tokens, precision, Math.Max(tokens, bound)) { Composition = composition, BoundedContent = Bounded };
    }

    public void AddUncounted(long characters)
    {
        HasUncounted = true;
        NewApproximate += Approximate(characters);
        NewBound += characters * MaximumUtf8BytesPerChar;
    }

    private static long Approximate(long characters) => (long)Math.Ceiling(characters / TokenEstimator.CharactersPerTokenForOtherFamilies);
}
