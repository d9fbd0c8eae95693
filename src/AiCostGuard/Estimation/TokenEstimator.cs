using System.Text.Json;
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
    /// <remarks>Such an estimate is <see cref="EstimatePrecision.Approximate"/>, and its upper bound, which is what is reserved, counts <see cref="MaximumTokensPerImage"/>.</remarks>
    public const int TokensPerImage = 765;

    /// <summary>
    /// The most tokens one high-detail image can cost by OpenAI's rule: scaled into 2048×2048 and to a shortest side of at
    /// most 768 px, an image is at most 2 × 4 tiles of 512 px (768×2048), so 8 × 170 + 85. The upper bound of an image
    /// whose size cannot be read.
    /// </summary>
    public const int MaximumTokensPerImage = 1445;

    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int TokensForReplyPriming = 3;
    private const int MaximumUtf8BytesPerChar = 3;

    private static readonly JsonSerializerOptions CompactJson = new(JsonSerializerDefaults.Web);

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
    internal static InputTokenEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, TiktokenEncoding? encoding, long exactAbove)
    {
        var tally = default(Tally);
        Measure(messages, options, encoding, ref tally, countNew: false);
        long approximate = tally.Known + tally.NewApproximate;
        long bound = tally.Known + tally.NewBound;
        if (encoding is null)
        {
            return tally.Classified();
        }

        if (!tally.HasUncounted)
        {
            return tally.Counted();
        }

        if (bound <= exactAbove)
        {
            return new InputTokenEstimate(approximate, EstimatePrecision.Approximate, bound);
        }

        tally = default;
        Measure(messages, options, encoding, ref tally, countNew: true);
        return tally.Counted();
    }

    private static void Measure(IEnumerable<ChatMessage> messages, ChatOptions? options, TiktokenEncoding? encoding, ref Tally tally, bool countNew)
    {
        // Without a vocabulary the template is the family's: the request and its messages are counted, and their
        // rates are the family's (StartingRates) or learned (InputTokenCalibrator).
        if (encoding is not null)
        {
            tally.AddFixed(TokensForReplyPriming);
        }

        if (messages is IList<ChatMessage> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                MeasureMessage(list[i], encoding, ref tally, countNew);
            }
        }
        else
        {
            foreach (ChatMessage message in messages)
            {
                MeasureMessage(message, encoding, ref tally, countNew);
            }
        }

        if (options?.Tools is { Count: > 0 } tools)
        {
            MeasureTools(tools, encoding, ref tally, countNew);
        }
    }

    private static void MeasureMessage(ChatMessage message, TiktokenEncoding? encoding, ref Tally tally, bool countNew)
    {
        // Each message adds 3 tokens plus its role; every known role is a single token in both encodings.
        if (encoding is null)
        {
            tally.Composition = tally.Composition with { Messages = tally.Composition.Messages + 1 };
        }
        else
        {
            tally.AddFixed(TokensPerMessage + 1);
        }

        if (message.AuthorName is { } name)
        {
            tally.AddFixed(encoding is null ? 0 : TokensPerName);
            MeasureText(name, encoding, ref tally, countNew);
        }

        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    MeasureText(text.Text, encoding, ref tally, countNew);
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    if (CountImage(data, encoding) is { } imageTokens)
                    {
                        tally.AddFixed(imageTokens);
                    }
                    else
                    {
                        tally.AddUnsizedImage();
                    }

                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    if (IsLowDetail(uri))
                    {
                        tally.AddFixed(ImageTokenCounter.LowDetailTokens);
                    }
                    else
                    {
                        tally.AddUnsizedImage();
                    }

                    break;
                case FunctionCallContent or FunctionResultContent:
                    MeasureRendered(contents[i], encoding, ref tally, countNew);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>The tokens of an image given as bytes; <see langword="null"/> when its size cannot be read from them.</summary>
    private static int? CountImage(DataContent data, TiktokenEncoding? encoding)
    {
        // The header is parsed once per content instance: a history re-sent on every turn re-reads no image. An image
        // whose size cannot be read is cached as -1.
        if (encoding is not null && encoding.TryGetCached(data, out int cached))
        {
            return cached < 0 ? null : cached;
        }

        bool low = IsLowDetail(data);
        int tokens = low ? ImageTokenCounter.LowDetailTokens
            : ImageTokenCounter.TryReadSize(data.Data.Span, out int width, out int height) ? ImageTokenCounter.Count(width, height, lowDetail: false)
            : -1;
        if (encoding is not null)
        {
            tokens = encoding.Count(data, (_, _) => tokens);
        }

        return tokens < 0 ? null : tokens;
    }

    private static bool IsLowDetail(AIContent content) =>
        content.AdditionalProperties?.TryGetValue("detail", out object? detail) == true && string.Equals(detail?.ToString(), "low", StringComparison.OrdinalIgnoreCase);

    private static void MeasureText(string text, TiktokenEncoding? encoding, ref Tally tally, bool countNew)
    {
        if (encoding is null)
        {
            tally.AddClassified(TextClassifier.Classify(text), text.Length);
        }
        else if (encoding.TryGetCached(text, out int count))
        {
            tally.AddExact(count);
        }
        else if (countNew)
        {
            tally.AddExact(encoding.Count(text));
        }
        else
        {
            tally.AddUncounted(text.Length);
        }
    }

    private static void MeasureRendered(AIContent content, TiktokenEncoding? encoding, ref Tally tally, bool countNew)
    {
        if (encoding is not null && encoding.TryGetCached(content, out int count))
        {
            tally.AddExact(count);
        }
        else if (encoding is not null && countNew)
        {
            tally.AddExact(encoding.Count(content, static (c, e) => e.CountUncached(Render(c))));
        }
        else if (encoding is null)
        {
            string rendered = Render(content);
            tally.AddClassified(TextClassifier.Classify(content, Render), rendered.Length);
        }
        else
        {
            tally.AddUncounted(Render(content).Length);
        }
    }

    private static string Render(AIContent content) => content switch
    {
        FunctionCallContent call => call.Name + JsonSerializer.Serialize(call.Arguments, CompactJson),
        FunctionResultContent result => result.Result switch
        {
            null => string.Empty,
            string s => s,
            JsonElement json => json.GetRawText(),
            object o => JsonSerializer.Serialize(o, CompactJson),
        },
        _ => string.Empty,
    };

    private static void MeasureTools(IList<AITool> tools, TiktokenEncoding? encoding, ref Tally tally, bool countNew)
    {
        // OpenAI's published counting rule for function definitions (per function, per property, per enum item).
        bool o200k = ReferenceEquals(encoding, TiktokenEncoding.O200kBase) || encoding is null;
        int functionInit = o200k ? 7 : 10;
        const int FunctionsEnd = 12;
        tally.AddFixed(FunctionsEnd);
        for (int i = 0; i < tools.Count; i++)
        {
            if (tools[i] is not AIFunctionDeclaration function)
            {
                continue;
            }

            tally.AddFixed(functionInit);
            if (encoding is not null && encoding.TryGetCached(function, out int count))
            {
                tally.AddExact(count);
            }
            else if (encoding is not null && countNew)
            {
                tally.AddExact(encoding.Count(function, static (f, e) => CountFunction(f, e)));
            }
            else if (encoding is null)
            {
                TextComposition composition = TextClassifier.Classify(function, static f => f.Name + f.Description + f.JsonSchema.GetRawText());
                tally.AddClassified(composition, function.Name.Length + function.Description.Length + function.JsonSchema.GetRawText().Length);
            }
            else
            {
                tally.AddUncounted(function.Name.Length + function.Description.Length + function.JsonSchema.GetRawText().Length);
            }
        }
    }

    private static int CountFunction(AIFunctionDeclaration function, TiktokenEncoding encoding)
    {
        const int PropertiesInit = 3;
        const int PropertyKey = 3;
        const int EnumInit = -3;
        const int EnumItem = 3;

        int count = encoding.CountUncached($"{function.Name}:{WithoutFinalPeriod(function.Description)}");
        if (function.JsonSchema.ValueKind == JsonValueKind.Object
            && function.JsonSchema.TryGetProperty("properties", out JsonElement properties)
            && properties.ValueKind == JsonValueKind.Object)
        {
            bool any = false;
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                any = true;
                count += PropertyKey;
                JsonElement schema = property.Value;
                string type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out JsonElement t) ? t.ToString() : string.Empty;
                string description = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("description", out JsonElement d) ? d.ToString() : string.Empty;
                if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out JsonElement items) && items.ValueKind == JsonValueKind.Array)
                {
                    count += EnumInit;
                    foreach (JsonElement item in items.EnumerateArray())
                    {
                        count += EnumItem + encoding.CountUncached(item.ToString());
                    }
                }

                count += encoding.CountUncached($"{property.Name}:{type}:{WithoutFinalPeriod(description)}");
            }

            if (any)
            {
                count += PropertiesInit;
            }
        }

        return count;
    }

    // The published rule drops one final period from each description, no more.
    private static string WithoutFinalPeriod(string text) => text.EndsWith('.') ? text[..^1] : text;

    internal static long Approximate(long characters) => (long)Math.Ceiling(characters / CharactersPerTokenForOtherFamilies);

    private struct Tally
    {
        /// <summary>Fixed overheads plus counted text: exact.</summary>
        public long Known;

        /// <summary>The length-based estimate of text not yet counted.</summary>
        public long NewApproximate;

        /// <summary>An upper bound on the tokens of text not yet counted: a BPE token holds at least one UTF-8 byte.</summary>
        public long NewBound;

        public bool HasUncounted;

        /// <summary>Without a vocabulary: what the text is made of, by character class.</summary>
        public TextComposition Composition;

        /// <summary>Images whose size could not be read: estimated at <see cref="TokensPerImage"/>, bounded by <see cref="MaximumTokensPerImage"/>.</summary>
        public int UnsizedImages;

        public void AddFixed(long tokens) => Known += tokens;

        public void AddUnsizedImage()
        {
            UnsizedImages++;
            NewApproximate += TokensPerImage;
            NewBound += MaximumTokensPerImage;
        }

        /// <summary>The estimate once all text is counted: exact unless an image's size is unknown.</summary>
        public readonly InputTokenEstimate Counted() => UnsizedImages == 0
            ? new InputTokenEstimate(Known, EstimatePrecision.Exact, Known)
            : new InputTokenEstimate(Known + ((long)UnsizedImages * TokensPerImage), EstimatePrecision.Approximate, Known + ((long)UnsizedImages * MaximumTokensPerImage));

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
            NewApproximate += TokenEstimator.Approximate(characters);
            NewBound += characters * MaximumUtf8BytesPerChar;
        }
    }
}
