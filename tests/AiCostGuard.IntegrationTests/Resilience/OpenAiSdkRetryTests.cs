using System.ClientModel;
using AiCostGuard.IntegrationTests.Infrastructure;
using Polly;
using Polly.Retry;

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

    [Fact]
    public async Task By_default_a_429_from_the_OpenAI_SDK_is_retried_after_the_wait_it_asks_for()
    {
        _server.Enqueue(LoopbackReply.RateLimited(retryAfterSeconds: 0));
        _server.Enqueue(new LoopbackReply { Text = "2, 3, 5", PromptTokens = 120, CompletionTokens = 8 });
        IChatClient client = new ChatClientBuilder(_server.CreateChatClient("gpt-4o"))
            .UseBudgetAwareRetry()
            .UseCostGovernance(o => o.Ledger = _ledger)
            .Build();

        ChatResponse response = await client.GetResponseAsync([new(ChatRole.User, "Name three primes.")], new ChatOptions { MaxOutputTokens = 50 });

        Assert.Equal("2, 3, 5", response.Text);
        Assert.Equal([(1, CallOutcome.Failed), (2, CallOutcome.Succeeded)], _ledger.GetRecords().Select(r => (r.Attempt, r.Outcome)));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    public async Task The_default_strategy_reads_the_status_and_Retry_After_of_the_SDK_s_own_exception(int status, bool transient)
    {
        _server.Enqueue(status == 429 ? LoopbackReply.RateLimited(retryAfterSeconds: 7) : LoopbackReply.Error(status));
        ClientResultException failure = await Assert.ThrowsAsync<ClientResultException>(
            () => _server.CreateChatClient("gpt-4o").GetResponseAsync([new(ChatRole.User, "hi")]));
        RetryStrategyOptions<ChatResponse> options = BudgetAwareRetryChatClient.CreateDefaultOptions();
        ResilienceContext context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);

        bool handled = await options.ShouldHandle(new RetryPredicateArguments<ChatResponse>(context, Outcome.FromException<ChatResponse>(failure), 0));
        TimeSpan? delay = await options.DelayGenerator!(new RetryDelayGeneratorArguments<ChatResponse>(context, Outcome.FromException<ChatResponse>(failure), 0));

        Assert.Equal(transient, handled);
        Assert.Equal(status == 429 ? TimeSpan.FromSeconds(7) : null, delay);
        ResilienceContextPool.Shared.Return(context);
    }
}
