using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Redis.Tests;

/// <summary>The period clamp against a real redis-server: the room is read from Redis, and the clamped worst case reserved there.</summary>
public sealed class PeriodClampTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>Answers with as many output tokens as it is allowed, and remembers what it was allowed.</summary>
    private sealed class GreedyModel : IChatClient
    {
        public List<int?> MaxOutputTokens { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            MaxOutputTokens.Add(options?.MaxOutputTokens);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-4o-mini",
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = options?.MaxOutputTokens ?? 100 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("greedy", defaultModelId: "gpt-4o-mini") : null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_period_budget_on_Redis_clamps_a_call_to_the_output_it_has_left_then_refuses_below_the_minimum(bool leases)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        await using var store = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = leases }, time);
        var model = new GreedyModel();
        var ledger = new InMemoryCostLedger();
        string name = $"daily-{Guid.NewGuid():N}";
        using var client = new CostGovernanceChatClient(
            model,
            new CostGovernanceOptions
            {
                Ledger = ledger,
                BudgetStore = store,
                OverBudgetAction = OverBudgetAction.Clamp,
                MinimumClampedOutputTokens = 10,
                PeriodBudgets = { new PeriodBudgetOptions { Name = name, Period = BudgetPeriod.Daily, Limits = { MaximumOutputTokens = 150 } } },
            },
            time);
        var options = new ChatOptions { MaxOutputTokens = 100 };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "first")], options);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "second")], options);
        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "third")], options));

        Assert.Equal([100, 50], model.MaxOutputTokens);
        Assert.Equal([BudgetDecision.Allowed, BudgetDecision.Clamped, BudgetDecision.Rejected], ledger.GetRecords().Select(r => r.Decision));
        Assert.Equal(BudgetLimitKind.OutputTokens, refused.LimitKind);
        Assert.Equal(50L, ledger.GetRecords()[1].MaximumOutputTokens);
        Assert.Equal(name + "|all", refused.BudgetName);
        Assert.Equal(150, ledger.GetRecords().Sum(r => r.OutputTokens));
    }
}
