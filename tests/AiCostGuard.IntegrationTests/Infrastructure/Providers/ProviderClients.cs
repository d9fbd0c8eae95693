using System.ClientModel;
using Anthropic;
using Azure.AI.OpenAI;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

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

    /// <summary>Test prices of the gpt-4o family.</summary>
    public static readonly ModelPrice Gpt = new() { InputPerMillion = 3m, CachedInputPerMillion = 0.75m, OutputPerMillion = 12m };

    /// <summary>The OpenAI SDK's chat client and <c>AsIChatClient()</c>.</summary>
    public static readonly ProviderClient OpenAiChat = new(
        "openai-chat",
        () => new OpenAiChatWire(),
        server => new ChatClient("gpt-4o", new ApiKeyCredential("loopback-test-key"), new OpenAIClientOptions { Endpoint = new Uri(server.Address, "v1/") }).AsIChatClient(),
        "gpt-4o",
        "gpt-4o-2024-08-06",
        Gpt,
        UsageKinds.CacheReads | UsageKinds.Reasoning);

    /// <summary>The OpenAI SDK's Responses client and <c>AsIChatClient()</c>.</summary>
    public static readonly ProviderClient OpenAiResponses = new(
        "openai-responses",
        () => new OpenAiResponsesWire(),
        server => new ResponsesClient(new ApiKeyCredential("loopback-test-key"), new ResponsesClientOptions { Endpoint = new Uri(server.Address, "v1/") }).AsIChatClient("gpt-4o"),
        "gpt-4o",
        "gpt-4o-2024-08-06",
        Gpt,
        UsageKinds.CacheReads | UsageKinds.Reasoning);

    /// <summary>Azure OpenAI's client on a deployment whose name the governed client aliases to gpt-4o.</summary>
    public static readonly ProviderClient AzureOpenAi = new(
        "azure-openai",
        () => new OpenAiChatWire(),
        server => new AzureOpenAIClient(server.Address, new ApiKeyCredential("loopback-test-key")).GetChatClient("prod-chat").AsIChatClient(),
        "prod-chat",
        "gpt-4o-2024-08-06",
        Gpt,
        UsageKinds.CacheReads | UsageKinds.Reasoning)
    {
        Aliases = new Dictionary<string, string> { ["prod-chat"] = "gpt-4o" },
    };

    /// <summary>The clients whose pending reads a cancelled token aborts, by name.</summary>
    public static IEnumerable<string> Abortable => All.Values.Where(c => c.AbortsPendingReads).Select(c => c.Name);

    /// <summary>Every client of the matrix, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ProviderClient> All = new[] { Anthropic, Ollama, OpenAiChat, OpenAiResponses, AzureOpenAi }.ToDictionary(c => c.Name);
}
