using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The estimator's per-string count cache against tokenizing the same text, and the price catalog's lookups.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TokenEstimationBenchmarks
{
    private List<ChatMessage> _history = null!;
    private string _joined = null!;
    private TiktokenTokenizer _tokenizer = null!;
    private PriceCatalog _catalog = null!;

    [GlobalSetup]
    public void Setup()
    {
        _history = new PromptFactory(seed: 3).History(20);
        _joined = string.Join("\n", _history.Select(m => m.Text));
        _tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");
        _catalog = PriceCatalog.Default;

        // Warm: the history's strings are counted once here, as after the conversation's first turn.
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(_history, "gpt-4o");
        Console.WriteLine($"// AiCostGuard check: 20-message history ({_joined.Length} characters): estimate {estimate.Tokens} ({estimate.Precision}), "
            + $"tokenizer {_tokenizer.CountTokens(_joined)} tokens for the joined text.");
        if (!_catalog.TryGetPrice("gpt-4o-2024-08-06", out _) || !_catalog.TryGetPrice("gpt-4o", out _))
        {
            throw new InvalidOperationException("gpt-4o is not priced.");
        }
    }

    /// <summary>Tokenizes the joined text of the history (Microsoft.ML.Tokenizers, o200k_base).</summary>
    [Benchmark(Baseline = true, Description = "TiktokenTokenizer.CountTokens(joined history)")]
    [BenchmarkCategory("Tokens")]
    public int CountTokens() => _tokenizer.CountTokens(_joined);

    /// <summary>Tokenizes the same text with AiCostGuard's own o200k_base tokenizer (its pre-tokenizer counts special-token
    /// text literally), uncached: what a first-time exact count pays.</summary>
    [Benchmark(Description = "TiktokenEncoding.CountUncached(joined history)")]
    [BenchmarkCategory("Tokens")]
    public int CountUncached() => TiktokenEncoding.O200kBase.CountUncached(_joined);

    /// <summary>Estimates the warm history: every string's count comes from the cache.</summary>
    [Benchmark(Description = "TokenEstimator.EstimateInputTokens(warm 20 messages)")]
    [BenchmarkCategory("Tokens")]
    public long EstimateWarm() => TokenEstimator.EstimateInputTokens(_history, "gpt-4o").Tokens;

    /// <summary>A model id that is a catalog key.</summary>
    [Benchmark(Baseline = true, Description = "TryGetPrice(\"gpt-4o\")")]
    [BenchmarkCategory("Price")]
    public bool PriceDirect() => _catalog.TryGetPrice("gpt-4o", out _);

    /// <summary>A dated snapshot resolved to its family (cached after the first lookup).</summary>
    [Benchmark(Description = "TryGetPrice(\"gpt-4o-2024-08-06\")")]
    [BenchmarkCategory("Price")]
    public bool PriceSnapshot() => _catalog.TryGetPrice("gpt-4o-2024-08-06", out _);
}
