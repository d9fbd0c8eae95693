using AiCostGuard.Redis;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The per-call cost of a monthly period budget per team in front of a model that answers instantly: none (baseline),
/// the in-memory store, and a Redis store (a redis-server started on loopback in GlobalSetup) with and without leases.
/// </summary>
/// <remarks>
/// The budget is $1,000,000,000 so no call is refused; with leases of 0.01% ($100,000) a lease covers every call of a
/// run, so the lease variant measures the local path plus a renewal round trip every 15 s (half the lease duration).
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PeriodBudgetStoreBenchmarks
{
    private readonly List<ChatMessage> _prompt = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "What is the capital of France?")];
    private RedisServerProcess _redis = null!;
    private RedisBudgetStore _leased = null!;
    private RedisBudgetStore _direct = null!;
    private IChatClient _none = null!;
    private IChatClient _inMemory = null!;
    private IChatClient _redisLeased = null!;
    private IChatClient _redisDirect = null!;
    private AttributionScope? _attribution;

    [GlobalSetup]
    public void Setup()
    {
        _redis = new RedisServerProcess();
        _leased = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = _redis.Endpoint, UseLeases = true, LeaseFraction = 0.0001 });
        _direct = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = _redis.Endpoint, UseLeases = false });
        var inner = new FakeChatClient(FakeChatClient.CompletedResponse());
        _none = Governed(inner, null);
        _inMemory = Governed(inner, new InMemoryBudgetStore());
        _redisLeased = Governed(inner, _leased);
        _redisDirect = Governed(inner, _direct);

        // Ambient for the thread that runs the workload, as BudgetScope is in NonStreamingOverheadBenchmarks.
        _attribution = CostAttribution.Begin(new CostAttribution { Team = "search" });
        foreach (IChatClient client in new[] { _none, _inMemory, _redisLeased, _redisDirect })
        {
            client.GetResponseAsync(_prompt).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _attribution?.Dispose();
        _leased.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _direct.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _redis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> NoPeriodBudget() => _none.GetResponseAsync(_prompt);

    [Benchmark]
    public Task<ChatResponse> InMemoryStore() => _inMemory.GetResponseAsync(_prompt);

    [Benchmark]
    public Task<ChatResponse> RedisWithLeases() => _redisLeased.GetResponseAsync(_prompt);

    [Benchmark]
    public Task<ChatResponse> RedisWithoutLeases() => _redisDirect.GetResponseAsync(_prompt);

    private static IChatClient Governed(IChatClient inner, IBudgetStore? store) =>
        new ChatClientBuilder(inner)
            .UseCostGovernance(o =>
            {
                o.Ledger = new InMemoryCostLedger(capacity: 1024);
                if (store is not null)
                {
                    o.BudgetStore = store;
                    o.PeriodBudgets.Add(new PeriodBudgetOptions
                    {
                        Name = "team-monthly",
                        Period = BudgetPeriod.Monthly,
                        Dimensions = AttributionDimensions.Team,
                        TimeZone = "Europe/Paris",
                        Limits = { MaximumCost = 1_000_000_000m },
                    });
                }
            })
            .Build();
}
