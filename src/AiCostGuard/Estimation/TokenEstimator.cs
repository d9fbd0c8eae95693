using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Estimates the input tokens of a chat request before it is sent: exact for OpenAI model families (the model's
/// tiktoken vocabulary plus OpenAI's published chat-format and tool-definition overheads) and for the Mistral models
/// whose SentencePiece vocabulary ships with the library (with Mistral's chat template), by character class for others.
/// </summary>
/// <remarks>
/// <para>
/// Vocabularies load lazily, once per process (about half a second and tens of megabytes each), and only when an
/// exact count is needed. Counts are cached per string and content instance, so a long history re-sent on every turn
/// is tokenized once.
/// </para>
/// <para>
/// For other families (Claude, Gemini, Llama, Mistral's Tekken models, unknown models) the estimate carries the
/// <see cref="TextComposition"/> of the request, which an <see cref="InputTokenCalibrator"/> turns into the model's
/// estimate and the input to reserve (<see cref="TokenizerFamily"/> says which family a model is in).
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public static class TokenEstimator
{
    /// <summary>The characters per token assumed for text not yet counted with a known vocabulary (a call provably far
    /// from every ceiling); a little below the usual 3.6–4 for English, so estimates lean high.</summary>
    public const double CharactersPerTokenForOtherFamilies = 3.5;

    /// <summary>
    /// The tokens estimated for an image whose size cannot be read (a URI, or bytes in an unknown format): a 1024×1024
    /// image at high detail (4 tiles × 170 + 85). Images given as PNG, JPEG, GIF or WebP bytes are counted by their size.
    /// </summary>
    /// <remarks>Such an estimate is <see cref="EstimatePrecision.Bounded"/>, and its upper bound, which is what is reserved, counts <see cref="MaximumTokensPerImage"/>.</remarks>
    public const int TokensPerImage = 765;

    /// <summary>
    /// The most tokens one high-detail image can cost by OpenAI's rule: scaled into 2048×2048 and to a shortest side of at
    /// most 768 px, an image is at most 2 × 4 tiles of 512 px (768×2048), so 8 × 170 + 85. The upper bound of an image
    /// whose size cannot be read.
    /// </summary>
    public const int MaximumTokensPerImage = 1445;

    /// <summary>Gets the tiktoken encoding an OpenAI model uses.</summary>
    /// <param name="modelId">The model id, optionally with a provider prefix such as <c>openai/</c> or <c>azure/</c>.</param>
    /// <returns><c>o200k_base</c> or <c>cl100k_base</c>; <see langword="null"/> for models of other families.</returns>
    public static string? GetEncodingName(string? modelId) => GetEncoding(modelId)?.Name;

    /// <summary>Counts the tokens of <paramref name="text"/> exactly, as the provider counts user text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="encodingName"><c>o200k_base</c> or <c>cl100k_base</c>.</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentException"><paramref name="encodingName"/> is not a supported encoding.</exception>
    public static int CountTokens(string text, string encodingName)
    {
        ArgumentNullException.ThrowIfNull(text);
        TiktokenEncoding encoding = TiktokenEncoding.ForName(encodingName)
            ?? throw new ArgumentException($"Unknown encoding '{encodingName}'; use o200k_base or cl100k_base.", nameof(encodingName));
        return encoding.Count(text);
    }

    /// <summary>Gets the tokenizer family of a model: whether its input is counted exactly and, if estimated, which starting rates apply.</summary>
    /// <param name="modelId">The model id, optionally with a provider prefix such as <c>openai/</c> or <c>mistralai/</c>.</param>
    /// <returns>The family; <see cref="TokenizerFamily.Unknown"/> for a model of no known family.</returns>
    public static TokenizerFamily GetTokenizerFamily(string? modelId) => ModelTokenizer.For(modelId).Family;

    /// <summary>Estimates the input tokens of a chat request, exactly where the model family allows.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="options">The chat options; their tools count as input.</param>
    /// <returns>
    /// The estimate; <see cref="EstimatePrecision.Exact"/> for OpenAI families and the shipped Mistral vocabularies (text).
    /// For other families it is calibrated by <see cref="InputTokenCalibrator.Shared"/>, and its
    /// <see cref="InputTokenEstimate.UpperBound"/> is what to reserve.
    /// </returns>
    public static InputTokenEstimate EstimateInputTokens(IEnumerable<ChatMessage> messages, string? modelId, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ModelTokenizer tokenizer = ModelTokenizer.For(modelId);
        InputTokenEstimate estimate = tokenizer.Estimate(messages, options, exactAbove: 0);
        return tokenizer.IsCounted ? estimate : InputTokenCalibrator.Shared.Apply(modelId, estimate);
    }

    /// <summary>Learns, in <see cref="InputTokenCalibrator.Shared"/>, from one call to a model without a shipped vocabulary whose estimate is known only as a token count.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> is ignored.</param>
    /// <param name="estimatedTokens">The estimate made before sending.</param>
    /// <param name="reportedTokens">The input tokens the provider reported.</param>
    /// <remarks>A token count cannot be calibrated per character class: prefer <see cref="InputTokenCalibrator.Learn"/> with the <see cref="InputTokenEstimate"/> itself.</remarks>
    public static void Calibrate(string? modelId, long estimatedTokens, long reportedTokens) =>
        InputTokenCalibrator.Shared.Learn(modelId, new InputTokenEstimate(estimatedTokens, EstimatePrecision.Approximate, estimatedTokens), reportedTokens);

    /// <summary>Gets what <see cref="InputTokenCalibrator.Shared"/> has learned about <paramref name="modelId"/>: reported ÷ estimated tokens on average, the calls learned from and the estimate's mean absolute percentage error.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The calibration; ratio 1 with no samples for a model not seen. <see cref="InputTokenCalibrator.GetCalibration"/> gives the rates per class and the uncertainty.</returns>
    public static TokenCalibration GetCalibration(string? modelId) => InputTokenCalibrator.Shared.GetScalarCalibration(modelId);

    /// <summary>The input to reserve for a token-count estimate of <paramref name="modelId"/>, by <see cref="InputTokenCalibrator.Shared"/>.</summary>
    internal static long Calibrated(string? modelId, long estimatedTokens) =>
        InputTokenCalibrator.Shared.Apply(modelId, new InputTokenEstimate(estimatedTokens, EstimatePrecision.Approximate, estimatedTokens)).UpperBound;

    /// <summary>Checks, without loading it, that the vocabulary <paramref name="modelId"/> is counted with is deployed: to call when a pipeline is built.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary is missing.</exception>
    internal static void ThrowIfVocabularyMissing(string? modelId) => ModelTokenizer.For(modelId).ThrowIfMissing();

    /// <summary>Estimates the tokens of generated text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="modelId">The model id.</param>
    /// <returns>The count; exact for OpenAI model families and the shipped Mistral vocabularies, at the family's starting rates for others.</returns>
    public static long EstimateOutputTokens(ReadOnlySpan<char> text, string? modelId)
    {
        ModelTokenizer tokenizer = ModelTokenizer.For(modelId);
        return tokenizer.Tiktoken is { } encoding ? encoding.CountUncached(text)
            : tokenizer.MistralFormat is { } mistral ? mistral.Vocabulary.CountUncached(text)
            : StartingRates.EstimateText(TextClassifier.Classify(text), tokenizer.Family);
    }

    internal static TiktokenEncoding? GetEncoding(string? modelId)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            return null;
        }

        ReadOnlySpan<char> id = WithoutProvider(modelId);

        // OpenAI's own model-to-encoding table: the o200k families first, as "gpt-4o" also starts with "gpt-4".
        if (id.StartsWith("gpt-4o", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-4.1", StringComparison.OrdinalIgnoreCase)
            || id.StartsWith("gpt-4.5", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase)
            || id.StartsWith("chatgpt-4o", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-oss", StringComparison.OrdinalIgnoreCase)
            || IsReasoningFamily(id))
        {
            return TiktokenEncoding.O200kBase;
        }

        if (id.StartsWith("gpt-4", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-3.5", StringComparison.OrdinalIgnoreCase)
            || id.StartsWith("gpt-35", StringComparison.OrdinalIgnoreCase) || id.StartsWith("text-embedding-3", StringComparison.OrdinalIgnoreCase)
            || id.StartsWith("text-embedding-ada-002", StringComparison.OrdinalIgnoreCase))
        {
            return TiktokenEncoding.Cl100kBase;
        }

        return null;

        static bool IsReasoningFamily(ReadOnlySpan<char> id) =>
            id.Length >= 2 && (id[0] == 'o' || id[0] == 'O') && id[1] is '1' or '3' or '4' && (id.Length == 2 || id[2] == '-');
    }

    /// <summary>The model id without a provider prefix such as <c>openai/</c>, <c>azure/</c> or <c>mistralai/</c>.</summary>
    internal static ReadOnlySpan<char> WithoutProvider(string? modelId)
    {
        ReadOnlySpan<char> id = modelId;
        int slash = id.LastIndexOf('/');
        return slash >= 0 ? id[(slash + 1)..] : id;
    }

    /// <summary>
    /// Estimates input tokens, tokenizing only what it must: counts already cached are exact, new text is bounded
    /// by its length, and only when that bound exceeds <paramref name="exactAbove"/> is the new text counted.
    /// </summary>
    internal static InputTokenEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, TiktokenEncoding? encoding, long exactAbove) =>
        RequestTokenCounter.Estimate(messages, options, encoding, exactAbove, encoding is null ? TokenizerFamily.Unknown : TokenizerFamily.OpenAI, ContentBounds.DefaultOptions);
}
