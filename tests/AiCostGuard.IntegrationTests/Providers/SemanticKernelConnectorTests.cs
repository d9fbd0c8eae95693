using System.Diagnostics;
using AiCostGuard.IntegrationTests.Infrastructure.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiCostGuard.IntegrationTests.Providers;

/// <summary>
/// Semantic Kernel's own OpenAI connector (<c>OpenAIChatCompletionService</c>, its default HTTP client), governed as a
/// chat client and run by a real <see cref="Kernel"/> with the cost-governance filters, against a loopback OpenAI server.
/// </summary>
public sealed class SemanticKernelConnectorTests : IAsyncLifetime
{
    private readonly InMemoryCostLedger _ledger = new();
    private ProviderLoopbackServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await ProviderLoopbackServer.StartAsync(new OpenAiChatWire());

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private Kernel Kernel(Action<CostGovernanceOptions>? configure = null)
    {
        var connector = new OpenAIChatCompletionService("gpt-4o", new Uri(_server.Address, "v1/"), "loopback-test-key");
        IChatClient governed = connector.AsChatClient().AsBuilder()
            .UseCostGovernance(o =>
            {
                o.Ledger = _ledger;
                o.Catalog = PriceCatalog.Create([new("gpt-4o", ProviderClients.Gpt)], "test");
                configure?.Invoke(o);
            })
            .Build();
        IKernelBuilder builder = Microsoft.SemanticKernel.Kernel.CreateBuilder();
        builder.Services.AddSingleton(governed.AsChatCompletionService());
        builder.AddCostGovernance();
        return builder.Build();
    }

    private CostRecord Last => _ledger.GetRecords()[^1];

    // The connector reports usage in ChatMessageContent.Metadata["Usage"]; Semantic Kernel's AsChatClient() bridge does
    // not carry it (nor the answering snapshot) into ChatResponse.Usage, so governance sees none: it estimates and flags
    // the call, never books it at $0. An M.E.AI client (e.g. the OpenAI SDK's AsIChatClient()) keeps the reported usage.
    [Fact]
    public async Task Usage_the_bridge_drops_is_estimated_with_the_models_tokenizer_and_flagged()
    {
        _server.Enqueue(new ProviderReply { Text = "2, 3, 5", Usage = new() { Input = 4_000, Cached = 1_000, Output = 500, Reasoning = 200 }, Model = "gpt-4o-2024-08-06" });

        FunctionResult result = await Kernel().InvokePromptAsync("Name three primes.");

        Assert.Equal("2, 3, 5", result.ToString());
        AssertEstimated(streaming: false, TokenEstimator.CountTokens("2, 3, 5", "o200k_base"));
    }

    [Fact]
    public async Task Streamed_usage_the_bridge_drops_is_estimated_and_flagged()
    {
        _server.Enqueue(new ProviderReply { Text = "two three five", Usage = new() { Input = 4_000, Cached = 1_000, Output = 500, Reasoning = 200 }, Model = "gpt-4o-2024-08-06" });

        var text = new System.Text.StringBuilder();
        await foreach (StreamingKernelContent chunk in Kernel().InvokePromptStreamingAsync("Name three primes."))
        {
            text.Append(chunk);
        }

        Assert.Equal("two three five", text.ToString());
        AssertEstimated(streaming: true, 3);
    }

    private void AssertEstimated(bool streaming, long output)
    {
        List<ChatMessage> sent = [new(ChatRole.User, "Name three primes.")];
        Assert.Equal((streaming, CostSource.Estimated, "gpt-4o"), (Last.IsStreaming, Last.CostSource, Last.ModelId));
        Assert.Equal((TokenEstimator.EstimateInputTokens(sent, "gpt-4o").Tokens, output), (Last.InputTokens, Last.OutputTokens));
        Assert.Equal(((Last.InputTokens * 3m) + (output * 12m)) / 1_000_000m, Last.Cost);
    }

    [Fact]
    public async Task A_streamed_prompt_cut_at_its_ceiling_closes_the_connection_at_once()
    {
        _server.Enqueue(new ProviderReply { Text = string.Join(' ', Enumerable.Repeat("token", 200)), Usage = null, HoldOpenAfterDeltas = 30 });
        Kernel kernel = Kernel(o => o.RequestLimits.MaximumOutputTokens = 20);
        var settings = new OpenAIPromptExecutionSettings { MaxTokens = 20 };

        long lastDelivered = 0;
        int chunks = 0;
        await foreach (StreamingKernelContent chunk in kernel.InvokePromptStreamingAsync("Count.", new KernelArguments(settings)))
        {
            if (chunk.ToString()?.Length > 0)
            {
                chunks++;
                lastDelivered = Stopwatch.GetTimestamp();
            }
        }

        long closedAt = await _server.Requests[0].Closed.WaitAsync(TimeSpan.FromSeconds(10));
        TimeSpan cutToClose = Stopwatch.GetElapsedTime(lastDelivered, closedAt);
        TestContext.Current.SendDiagnosticMessage($"semantic-kernel: connection closed {cutToClose.TotalMilliseconds:0.0} ms after the last chunk before the cut");
        Assert.True(cutToClose <= TimeSpan.FromMilliseconds(100), $"closed {cutToClose.TotalMilliseconds} ms after the cut");
        Assert.Equal(20, chunks);
        Assert.Equal((BudgetDecision.Cut, CostSource.Estimated), (Last.Decision, Last.CostSource));
        Assert.Equal(((Last.InputTokens * 3m) + (Last.OutputTokens * 12m)) / 1_000_000m, Last.Cost);
    }
}
