using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Redis.Tests;

/// <summary>An adaptive envelope on a real redis-server: the spend of every process counts against the ceiling.</summary>
public sealed class AdaptiveEnvelopeTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>Answers with as many output tokens as it is allowed.</summary>
    private sealed class GreedyModel : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
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
    public async Task Two_processes_share_the_envelope_s_spend_and_a_success_raises_the_ceiling_of_the_process_that_records_it(bool leases)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        string name = $"envelope-{Guid.NewGuid():N}";
        await using var storeA = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = leases }, time);
        await using var storeB = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = leases }, time);
        (CostGovernanceChatClient a, GreedyModel modelA) = Client(storeA, name, time);
        (CostGovernanceChatClient b, GreedyModel modelB) = Client(storeB, name, time);

        // $1 per output token: A spends $2 of the $3 base; B's $2 worst case no longer fits.
        var two = new ChatOptions { MaxOutputTokens = 2 };
        await a.GetResponseAsync([new ChatMessage(ChatRole.User, "first")], two);
        await storeA.FlushAsync();
        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(() => b.GetResponseAsync([new ChatMessage(ChatRole.User, "second")], two));
        Assert.Equal((name + "|all", 3m), (refused.BudgetName, refused.Limit));

        time.Advance(TimeSpan.FromMinutes(1));
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "ticket"))
        {
            CostOutcomes.Record(b.Ledger, run, "ticket-resolved", success: true, timeProvider: time);
        }

        await b.GetResponseAsync([new ChatMessage(ChatRole.User, "third")], two);
        Assert.Equal((1, 1), (modelA.Calls, modelB.Calls));
        Assert.Equal(5m, ((InMemoryCostLedger)b.Ledger).GetEnvelopeSteps()[^1].Ceiling);
    }

    private static (CostGovernanceChatClient Client, GreedyModel Model) Client(RedisBudgetStore store, string name, TimeProvider time)
    {
        var model = new GreedyModel();
        var options = new CostGovernanceOptions
        {
            BudgetStore = store,
            AdaptiveEnvelopes = { new AdaptiveEnvelopeOptions { Name = name, Period = BudgetPeriod.Daily, Base = 3m, AllowancePerSuccess = 2m, Cap = 10m } },
        };
        options.Prices["gpt-4o-mini"] = new ModelPrice { InputPerMillion = 0m, OutputPerMillion = 1_000_000m, MaximumOutputTokens = 100 };
        return (new CostGovernanceChatClient(model, options, time), model);
    }
}
