using System.ClientModel;
using AiCostGuard.IntegrationTests.Infrastructure;

namespace AiCostGuard.IntegrationTests.Resilience;

/// <summary>Budget-aware retries around the real OpenAI SDK client, with the SDK's own retries disabled.</summary>
public sealed class OpenAiSdkRetryTests : IAsyncLifetime
{
    private readonly OpenAiLoopbackServer _server = new();
    private readonly InMemoryCostLedger _ledger = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_500_is_retried_through_the_governance_and_both_attempts_reach_the_ledger()
    {
        _server.Enqueue(new LoopbackReply { StatusCode = 500, ErrorMessage = "The server had an error." });
        _server.Enqueue(new LoopbackReply { Text = "2, 3, 5", PromptTokens = 120, CompletionTokens = 8 });
        IChatClient client = new ChatClientBuilder(_server.CreateChatClient("gpt-4o"))
            .UseBudgetAwareRetry(o =>
            {
                o.Delay = TimeSpan.Zero;
                o.ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is ClientResultException { Status: >= 500 });
            })
            .UseCostGovernance(o => o.Ledger = _ledger)
            .Build();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "job");

        ChatResponse response = await client.GetResponseAsync([new(ChatRole.User, "Name three primes.")], new ChatOptions { MaxOutputTokens = 50 });

        Assert.Equal("2, 3, 5", response.Text);
        Assert.Equal(2, _server.Requests.Count);
        IReadOnlyList<CostRecord> records = _ledger.GetRecords();
        Assert.Equal([(1, CallOutcome.Failed), (2, CallOutcome.Succeeded)], records.Select(r => (r.Attempt, r.Outcome)));
        Assert.Equal(PriceCatalog.Default.Models["gpt-4o"].GetCost(new TokenUsage(120, 8, 0, 0)), records[1].Cost);
        Assert.Equal(2L, run.ModelCallCount);
        Assert.Equal(records.Sum(r => r.Cost), run.Spent.Cost);
    }
}
