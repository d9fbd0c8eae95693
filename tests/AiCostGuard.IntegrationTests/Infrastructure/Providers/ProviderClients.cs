using Anthropic;

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

    /// <summary>Every client of the matrix, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ProviderClient> All = new[] { Anthropic }.ToDictionary(c => c.Name);
}
