using Anthropic;
using OllamaSharp;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>The real clients of the provider matrix, each built as its documentation shows, with default settings.</summary>
public static class ProviderClients
{
    /// <summary>Test prices: deliberately unlike any published ones, so a cost read from the bundled catalog fails the tests.</summary>
    public static readonly ModelPrice Claude = new()
    {
        InputPerMillion = 2m,
        CachedInputPerMillion = 0.2m,
        CacheWritePerMillion = 2.5m,
        CacheWriteOneHourPerMillion = 4m,
        OutputPerMillion = 11m,
    };

    /// <summary>Anthropic's official SDK and its <c>AsIChatClient</c>.</summary>
    public static readonly ProviderClient Anthropic = new(
        "anthropic",
        () => new AnthropicWire(),
        server => new AnthropicClient { ApiKey = "loopback-test-key", BaseUrl = server.Address.ToString().TrimEnd('/') }.AsIChatClient("claude-sonnet-4-5"),
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        Claude,
        UsageKinds.CacheReads | UsageKinds.CacheWrites);

    /// <summary>A self-hosted model's test price (GPU time spread over tokens).</summary>
    public static readonly ModelPrice Llama = new() { InputPerMillion = 0.1m, OutputPerMillion = 0.3m };

    /// <summary>OllamaSharp's <c>OllamaApiClient</c>, an <see cref="IChatClient"/> itself.</summary>
    public static readonly ProviderClient Ollama = new(
        "ollama",
        () => new OllamaWire(),
        server => new OllamaApiClient(server.Address, "llama3.2"),
        "llama3.2",
        "llama3.2",
        Llama,
        UsageKinds.None)
    {
        AbortsPendingReads = false,
    };

    /// <summary>The clients whose pending reads a cancelled token aborts, by name.</summary>
    public static IEnumerable<string> Abortable => All.Values.Where(c => c.AbortsPendingReads).Select(c => c.Name);

    /// <summary>Every client of the matrix, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ProviderClient> All = new[] { Anthropic, Ollama }.ToDictionary(c => c.Name);
}
