using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AiCostGuard;

/// <summary>
/// One OpenAI BPE vocabulary, loaded lazily and once per process, counting text the way providers count user text:
/// a string that looks like a special token (<c>&lt;|endoftext|&gt;</c>) is ordinary characters.
/// </summary>
/// <remarks>
/// Counts are cached per string instance, so a conversation history that is re-sent on every turn is tokenized once.
/// </remarks>
internal sealed partial class TiktokenEncoding
{
    // Each data assembly is found through a type named in full where trimming sees it, so a trimmed or native AOT
    // application keeps the assembly and its vocabulary; it is loaded on first use.
    public static readonly TiktokenEncoding O200kBase = new(
        "o200k_base", "Microsoft.ML.Tokenizers.Data.O200kBase", static () => Type.GetType("Microsoft.ML.Tokenizers.O200kBaseTokenizerData, Microsoft.ML.Tokenizers.Data.O200kBase"), O200kPattern());

    public static readonly TiktokenEncoding Cl100kBase = new(
        "cl100k_base", "Microsoft.ML.Tokenizers.Data.Cl100kBase", static () => Type.GetType("Microsoft.ML.Tokenizers.Cl100kBaseTokenizerData, Microsoft.ML.Tokenizers.Data.Cl100kBase"), Cl100kPattern());

    private readonly string _dataAssembly;
    private readonly Func<Type?> _dataType;
    private readonly Regex _pattern;
    private readonly Lazy<TiktokenTokenizer> _tokenizer;
    private readonly ConditionalWeakTable<object, StrongBox<int>> _counts = new();

    internal TiktokenEncoding(string name, string dataAssembly, Func<Type?> dataType, Regex pattern)
    {
        Name = name;
        _dataAssembly = dataAssembly;
        _dataType = dataType;
        _pattern = pattern;
        _tokenizer = new Lazy<TiktokenTokenizer>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }

    public bool IsLoaded => _tokenizer.IsValueCreated;

    public static TiktokenEncoding? ForName(string name) => name switch
    {
        "o200k_base" => O200kBase,
        "cl100k_base" => Cl100kBase,
        _ => null,
    };

    /// <summary>Counts the tokens of <paramref name="text"/> and caches the count for this string instance.</summary>
    public int Count(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        if (_counts.TryGetValue(text, out StrongBox<int>? cached))
        {
            return cached.Value;
        }

        int count = _tokenizer.Value.CountTokens(text);
        _counts.AddOrUpdate(text, new StrongBox<int>(count));
        return count;
    }

    /// <summary>
    /// Counts the tokens that <paramref name="key"/> (a content item or tool, immutable once sent) stands for, rendering
    /// its text with <paramref name="render"/> only the first time.
    /// </summary>
    public int Count<TKey>(TKey key, Func<TKey, TiktokenEncoding, int> render)
        where TKey : class
    {
        if (_counts.TryGetValue(key, out StrongBox<int>? cached))
        {
            return cached.Value;
        }

        int count = render(key, this);
        _counts.AddOrUpdate(key, new StrongBox<int>(count));
        return count;
    }

    /// <summary>Counts the tokens of text that is not worth caching (it will not be seen again).</summary>
    public int CountUncached(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.Value.CountTokens(text);

    /// <summary>Gets the cached count of <paramref name="key"/> (a string, content item or tool), without tokenizing.</summary>
    public bool TryGetCached(object key, out int count)
    {
        if (key is string { Length: 0 })
        {
            count = 0;
            return true;
        }

        if (_counts.TryGetValue(key, out StrongBox<int>? cached))
        {
            count = cached.Value;
            return true;
        }

        count = 0;
        return false;
    }

    /// <summary>Checks, without loading it, that the vocabulary's data assembly and resource are there, so a broken deployment fails when a pipeline is built rather than on its first call.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary is missing.</exception>
    public void ThrowIfMissing()
    {
        string resource = Name + ".tiktoken.deflate";
        System.Reflection.Assembly assembly;
        try
        {
            assembly = DataAssembly();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException($"The tokenizer vocabulary '{Name}' cannot be loaded: the package {_dataAssembly} is missing or damaged ({e.Message}).", e);
        }

        if (assembly.GetManifestResourceInfo(resource) is null)
        {
            throw new InvalidOperationException($"The tokenizer vocabulary '{resource}' is missing from {_dataAssembly}.");
        }
    }

    private System.Reflection.Assembly DataAssembly() =>
        _dataType()?.Assembly ?? throw new FileNotFoundException($"The assembly {_dataAssembly} is not there.", _dataAssembly);

    private TiktokenTokenizer Load()
    {
        // The data packages ship the vocabulary as a deflated resource. Loading it with our own pre-tokenizer and no
        // special tokens makes "<|endoftext|>" in user text count as the characters it is, as providers count it.
        System.Reflection.Assembly assembly = DataAssembly();
        string resource = Name + ".tiktoken.deflate";
        using Stream compressed = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The tokenizer vocabulary '{resource}' is missing from {_dataAssembly}.");
        using var vocabulary = new DeflateStream(compressed, CompressionMode.Decompress);
        return TiktokenTokenizer.Create(vocabulary, new RegexPreTokenizer(_pattern, specialTokens: null), normalizer: null, specialTokens: null);
    }

    // The pre-tokenization patterns published with OpenAI's tiktoken for each encoding.
    [GeneratedRegex(@"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex O200kPattern();

    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex Cl100kPattern();
}
