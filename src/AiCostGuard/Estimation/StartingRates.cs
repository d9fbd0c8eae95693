namespace AiCostGuard;

/// <summary>
/// The tokens per unit of <see cref="TextComposition"/> that an estimate starts from, per tokenizer family, before any
/// reported usage has calibrated it: the one home of these rates and of the features they apply to.
/// </summary>
/// <remarks>
/// Template overheads follow each family's published chat template where there is one (Llama 3:
/// <c>&lt;|begin_of_text|&gt;</c>, five tokens per message for its header and end-of-turn, four for the reply header;
/// Gemma's turn markers for Gemini; Mistral's <c>[INST]</c> / <c>[/INST]</c> and end of sentence). Anthropic publishes
/// none: Claude starts from its legacy <c>Human:</c> / <c>Assistant:</c> framing, and calibration learns the rest. Text
/// rates are those of large BPE vocabularies (a common word costs about one token, a Chinese character about one,
/// a digit a third where digits are grouped by three and one where they are split one by one), rounded up.
/// </remarks>
internal static class StartingRates
{
    /// <summary>The number of features: the request itself, then each count of <see cref="TextComposition"/>.</summary>
    public const int FeatureCount = 17;

    /// <summary>The feature names, in order, as <see cref="InputTokenCalibration.Rates"/> reports them.</summary>
    public static readonly string[] Names =
    [
        "Request", nameof(TextComposition.Messages), nameof(TextComposition.CommonWords), nameof(TextComposition.LatinWords),
        nameof(TextComposition.LatinLetters), nameof(TextComposition.AccentedLetters), nameof(TextComposition.CapitalizedWords), nameof(TextComposition.Cjk), nameof(TextComposition.Kana), nameof(TextComposition.OtherLetters), nameof(TextComposition.Digits), nameof(TextComposition.DigitGroups),
        nameof(TextComposition.Punctuation), nameof(TextComposition.PunctuationRuns), nameof(TextComposition.Whitespace), nameof(TextComposition.Symbols), nameof(TextComposition.FixedTokens),
    ];

    //                                            request msgs  common words letters accent caps  cjk   kana  other digit groups punct runs space symb  fixed
    private static readonly double[] Generic =   [3.0,   4.0,  1.0,   0.40,  0.15,   0.5,   0.2,  1.00, 1.00, 0.45, 0.00, 1.00,  0.50, 0.30, 0.75, 2.50, 1.0];
    private static readonly double[] Claude =    [4.0,   3.0,  1.0,   0.40,  0.16,   0.5,   0.2,  1.10, 1.00, 0.50, 0.00, 1.00,  0.55, 0.30, 0.75, 2.50, 1.0];
    private static readonly double[] Gemini =    [4.0,   5.0,  1.0,   0.40,  0.13,   0.4,   0.2,  0.80, 0.80, 0.35, 1.00, 0.00,  0.45, 0.30, 0.60, 2.00, 1.0];
    private static readonly double[] Llama =     [5.0,   5.0,  1.0,   0.40,  0.15,   0.5,   0.2,  1.00, 1.00, 0.45, 0.00, 1.00,  0.50, 0.30, 0.75, 2.50, 1.0];
    private static readonly double[] Tekken =    [1.0,   2.0,  1.0,   0.40,  0.15,   0.5,   0.2,  1.00, 1.00, 0.40, 1.00, 0.00,  0.50, 0.30, 0.75, 2.50, 1.0];

    /// <summary>Gets the starting rates of <paramref name="family"/>, indexed like <see cref="Names"/>.</summary>
    public static ReadOnlySpan<double> For(TokenizerFamily family) => family switch
    {
        TokenizerFamily.Claude => Claude,
        TokenizerFamily.Gemini => Gemini,
        TokenizerFamily.Llama => Llama,
        TokenizerFamily.MistralTekken => Tekken,
        TokenizerFamily.Unknown or TokenizerFamily.OpenAI or TokenizerFamily.MistralSentencePiece => Generic,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not a tokenizer family."),
    };

    /// <summary>Writes the features of one call into <paramref name="features"/>.</summary>
    public static void Features(in TextComposition c, Span<double> features)
    {
        features[0] = 1;
        features[1] = c.Messages;
        features[2] = c.CommonWords;
        features[3] = c.LatinWords;
        features[4] = c.LatinLetters;
        features[5] = c.AccentedLetters;
        features[6] = c.CapitalizedWords;
        features[7] = c.Cjk;
        features[8] = c.Kana;
        features[9] = c.OtherLetters;
        features[10] = c.Digits;
        features[11] = c.DigitGroups;
        features[12] = c.Punctuation;
        features[13] = c.PunctuationRuns;
        features[14] = c.Whitespace;
        features[15] = c.Symbols;
        features[16] = c.FixedTokens;
    }

    /// <summary>The estimate of a text alone (no request, no message) at the starting rates of <paramref name="family"/>.</summary>
    public static long EstimateText(in TextComposition composition, TokenizerFamily family) =>
        composition.IsEmpty ? 0 : Estimate(composition, family) - (long)Math.Floor(For(family)[0]);

    /// <summary>The estimate of <paramref name="composition"/> at the starting rates of <paramref name="family"/>.</summary>
    public static long Estimate(in TextComposition composition, TokenizerFamily family)
    {
        Span<double> x = stackalloc double[FeatureCount];
        Features(composition, x);
        ReadOnlySpan<double> rates = For(family);
        double sum = 0;
        for (int i = 0; i < FeatureCount; i++)
        {
            sum += rates[i] * x[i];
        }

        return (long)Math.Ceiling(sum);
    }
}
