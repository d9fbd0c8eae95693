using System.IO.Compression;
using System.Runtime.CompilerServices;
using Microsoft.ML.Tokenizers;

namespace AiCostGuard;

/// <summary>
/// One SentencePiece vocabulary embedded in this assembly (see <c>Estimation/Vocabularies/NOTICE.md</c>), loaded lazily
/// and once per process, counting text as the provider encodes each message: with SentencePiece's leading-space prefix,
/// without beginning- or end-of-sentence tokens, and with text that looks like a control token (<c>&lt;s&gt;</c>,
/// <c>[INST]</c>) counted as the characters it is.
/// </summary>
/// <remarks>
/// Counting runs at under a million characters a second, so counts are cached per string instance: a history re-sent on
/// every turn is tokenized once.
/// </remarks>
internal sealed class SentencePieceVocabulary
{
    public static readonly SentencePieceVocabulary MistralV1 = new("mistral-v1", "AiCostGuard.Estimation.Vocabularies.mistral-v1.model.deflate");
    public static readonly SentencePieceVocabulary MistralV3 = new("mistral-v3", "AiCostGuard.Estimation.Vocabularies.mistral-v3.model.deflate");

    private readonly string _resource;
    private readonly Lazy<LlamaTokenizer> _tokenizer;
    private readonly ConditionalWeakTable<string, StrongBox<int>> _counts = new();
    private readonly ConditionalWeakTable<string, StrongBox<int>> _joinedCounts = new();
    private readonly ConditionalWeakTable<object, StrongBox<int>> _renderedCounts = new();

    internal SentencePieceVocabulary(string name, string resource)
    {
        Name = name;
        _resource = resource;
        _tokenizer = new Lazy<LlamaTokenizer>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }

    public bool IsLoaded => _tokenizer.IsValueCreated;

    /// <summary>Checks, without loading it, that the vocabulary is in the assembly, so a broken package fails when a pipeline is built rather than on its first call.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary is missing.</exception>
    public void ThrowIfMissing()
    {
        if (typeof(SentencePieceVocabulary).Assembly.GetManifestResourceInfo(_resource) is null)
        {
            throw new InvalidOperationException($"The tokenizer vocabulary '{Name}' (resource '{_resource}') is missing from {typeof(SentencePieceVocabulary).Assembly.GetName().Name}; the package is damaged.");
        }
    }

    /// <summary>Counts <paramref name="text"/> encoded on its own (as one message's content): cached per string instance.</summary>
    public int Count(string text) => text.Length == 0 ? 0 : Cached(_counts, text, static (t, s) => t.CountTokens(s));

    /// <summary>
    /// Counts <paramref name="text"/> where it follows other text and a line break (joined content): without the
    /// leading-space prefix. The line break is not a piece of the vocabulary, so no piece spans it and the count of a
    /// joined text is the sum of its parts.
    /// </summary>
    public int CountJoined(string text) => text.Length == 0 ? 0 : Cached(_joinedCounts, text, static (t, s) => t.CountTokens("\n" + s) - 2);

    /// <summary>Counts the text that <paramref name="key"/> (a content item or tool, immutable once sent) renders to, rendering it only the first time.</summary>
    public int CountRendered<TKey>(TKey key, Func<TKey, string> render)
        where TKey : class
    {
        if (_renderedCounts.TryGetValue(key, out StrongBox<int>? cached))
        {
            return cached.Value;
        }

        int tokens = CountUncached(render(key));
        _renderedCounts.AddOrUpdate(key, new StrongBox<int>(tokens));
        return tokens;
    }

    /// <summary>Counts text that will not be seen again.</summary>
    public int CountUncached(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.Value.CountTokens(text);

    public bool TryGetCached(string text, bool joined, out int count)
    {
        if (text.Length == 0)
        {
            count = 0;
            return true;
        }

        if ((joined ? _joinedCounts : _counts).TryGetValue(text, out StrongBox<int>? cached))
        {
            count = cached.Value;
            return true;
        }

        count = 0;
        return false;
    }

    private int Cached(ConditionalWeakTable<string, StrongBox<int>> cache, string text, Func<LlamaTokenizer, string, int> count)
    {
        if (cache.TryGetValue(text, out StrongBox<int>? cached))
        {
            return cached.Value;
        }

        int tokens = count(_tokenizer.Value, text);
        cache.AddOrUpdate(text, new StrongBox<int>(tokens));
        return tokens;
    }

    private LlamaTokenizer Load()
    {
        ThrowIfMissing();
        using Stream compressed = typeof(SentencePieceVocabulary).Assembly.GetManifestResourceStream(_resource)!;
        using var model = new DeflateStream(compressed, CompressionMode.Decompress);
        return LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
    }
}
