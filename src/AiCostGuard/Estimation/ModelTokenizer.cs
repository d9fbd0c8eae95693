using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>How the input of one model is counted: its family and, for families whose vocabulary ships, the vocabulary and chat format.</summary>
/// <remarks>Resolved from a model id once (instances are shared); counting is thread-safe.</remarks>
internal sealed class ModelTokenizer
{
    private static readonly ModelTokenizer[] Estimated =
        [.. Enum.GetValues<TokenizerFamily>().Select(family => new ModelTokenizer(family, null, null))];

    private static readonly ModelTokenizer O200k = new(TokenizerFamily.OpenAI, TiktokenEncoding.O200kBase, null);
    private static readonly ModelTokenizer Cl100k = new(TokenizerFamily.OpenAI, TiktokenEncoding.Cl100kBase, null);
    private static readonly Dictionary<MistralChatFormat, ModelTokenizer> Mistral = [];

    private ModelTokenizer(TokenizerFamily family, TiktokenEncoding? tiktoken, MistralChatFormat? mistral, ContentBoundOptions? bounds = null)
    {
        Family = family;
        Tiktoken = tiktoken;
        MistralFormat = mistral;
        Bounds = bounds ?? ContentBounds.DefaultOptions;
    }

    public TokenizerFamily Family { get; }

    /// <summary>The OpenAI vocabulary, for the OpenAI family.</summary>
    public TiktokenEncoding? Tiktoken { get; }

    /// <summary>The Mistral SentencePiece vocabulary and chat format, for <see cref="TokenizerFamily.MistralSentencePiece"/>.</summary>
    public MistralChatFormat? MistralFormat { get; }

    /// <summary>The worst cases of files a request only refers to.</summary>
    public ContentBoundOptions Bounds { get; }

    /// <summary>Whether the input is counted with the model's own vocabulary (exact for text) rather than estimated.</summary>
    public bool IsCounted => Tiktoken is not null || MistralFormat is not null;

    public static ModelTokenizer For(string? modelId)
    {
        if (TokenEstimator.GetEncoding(modelId) is { } encoding)
        {
            return ReferenceEquals(encoding, TiktokenEncoding.O200kBase) ? O200k : Cl100k;
        }

        ReadOnlySpan<char> id = TokenEstimator.WithoutProvider(modelId);
        if (MistralChatFormat.ForModel(id) is { } format)
        {
            lock (Mistral)
            {
                if (!Mistral.TryGetValue(format, out ModelTokenizer? tokenizer))
                {
                    tokenizer = new ModelTokenizer(TokenizerFamily.MistralSentencePiece, null, format);
                    Mistral.Add(format, tokenizer);
                }

                return tokenizer;
            }
        }

        return Estimated[(int)EstimatedFamily(id)];
    }

    /// <summary>This tokenizer with the worst cases of a pipeline's <paramref name="bounds"/>, copied so later changes to them do not apply.</summary>
    public ModelTokenizer WithBounds(ContentBoundOptions? bounds) =>
        bounds is null || bounds.MaximumTokensPerFileReference == Bounds.MaximumTokensPerFileReference ? this : new(Family, Tiktoken, MistralFormat, bounds.Clone());

    /// <summary>Checks that the vocabulary this model needs is in its assembly, without loading it.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary is missing: the package is damaged.</exception>
    public void ThrowIfMissing()
    {
        Tiktoken?.ThrowIfMissing();
        MistralFormat?.Vocabulary.ThrowIfMissing();
    }

    /// <summary>Estimates the input of a request; see <see cref="RequestTokenCounter.Estimate"/> for <paramref name="exactAbove"/>.</summary>
    public InputTokenEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, long exactAbove) =>
        MistralFormat is { } mistral ? mistral.Estimate(messages, options, exactAbove, Bounds) : RequestTokenCounter.Estimate(messages, options, Tiktoken, exactAbove, Family, Bounds);

    private static TokenizerFamily EstimatedFamily(ReadOnlySpan<char> id)
    {
        if (id.Contains("claude", StringComparison.OrdinalIgnoreCase))
        {
            return TokenizerFamily.Claude;
        }

        if (id.Contains("gemini", StringComparison.OrdinalIgnoreCase) || id.Contains("gemma", StringComparison.OrdinalIgnoreCase))
        {
            return TokenizerFamily.Gemini;
        }

        if (id.Contains("llama", StringComparison.OrdinalIgnoreCase))
        {
            return TokenizerFamily.Llama;
        }

        foreach (string name in (ReadOnlySpan<string>)["mistral", "mixtral", "codestral", "ministral", "pixtral", "magistral", "devstral", "voxtral"])
        {
            if (id.Contains(name, StringComparison.OrdinalIgnoreCase))
            {
                return TokenizerFamily.MistralTekken;
            }
        }

        return TokenizerFamily.Unknown;
    }
}
