using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

/// <summary>
/// redis-server restarted without persistence (as the fixture runs it: no RDB, no AOF) under a running store: the
/// counters come back empty, the store notices by its generation key, and the ledger re-seeds them.
/// </summary>
public sealed class RedisRestartTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Month = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 5m };
    private static readonly PeriodBudgetOptions Budget = new() { Name = "ceiling", Period = BudgetPeriod.Monthly, Limits = { MaximumCost = 5m } };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer? _connection;

    public async ValueTask InitializeAsync()
    {
        var configuration = ConfigurationOptions.Parse(redis.Endpoint);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(200);
        _connection = await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private RedisBudgetStoreOptions Options(string prefix, RedisFailurePolicy policy) => new()
    {
        ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(_connection!),
        KeyPrefix = prefix,
        UseLeases = false,
        FailurePolicy = policy,
        FailOpenLimits = { MaximumCost = 0.50m },
    };

    /// <summary>The window the reconciler finds for <see cref="Budget"/> (monthly, one key for every call).</summary>
    private static BudgetWindow Window => new("ceiling|all", Month, Month.AddMonths(1), TimeSpan.Zero, 1);

    private static CostRecord Call(int i) => new() { Timestamp = new DateTimeOffset(2026, 5, 10, 11, 0, 0, TimeSpan.Zero).AddMinutes(i), Cost = 1m, Outcome = CallOutcome.Succeeded };

    /// <summary>Restarts redis-server (empty: it keeps nothing on disk) and returns once the shared connection reaches it, checked with a PING after each restoration.</summary>
    private async Task RestartRedisAsync()
    {
        await redis.StopAsync();
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRestored(object? sender, ConnectionFailedEventArgs e)
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        }

        _connection!.ConnectionRestored += OnRestored;
        try
        {
            await redis.StartAsync();
            await restored.Task.WaitAsync(ReconnectTimeout);
            await _connection.GetDatabase().PingAsync();
        }
        finally
        {
            _connection.ConnectionRestored -= OnRestored;
        }
    }

    [Fact]
    public async Task Fail_closed_refuses_after_a_restart_lost_the_counters_and_the_ceiling_holds_once_the_ledger_reseeds_them()
    {
        string prefix = $"r{Guid.NewGuid():N}:";
        await using var store = new RedisBudgetStore(Options(prefix, RedisFailurePolicy.FailClosed), _time);
        CostRecord[] ledger = [.. Enumerable.Range(0, 4).Select(Call)];
        for (int i = 0; i < ledger.Length; i++)
        {
            Assert.True((await store.TryReserveAsync(Window, $"call-{i}", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
            await store.CommitAsync(Window, $"call-{i}", new BudgetUsage(0, 0, 1m));
        }

        await RestartRedisAsync();
        await store.FlushAsync();

        // Without the check the empty counters would admit $5 more against a $5 ceiling that already had $4 spent.
        Assert.True(store.IsGenerationLost);
        var refused = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => store.TryReserveAsync(Window, "after-restart", new BudgetUsage(0, 0, 1m), Ceiling).AsTask());
        Assert.Contains("lost its budget counters", refused.InnerException!.Message, StringComparison.Ordinal);

        await using var reconciler = new RedisBudgetReconciler(Options(prefix, RedisFailurePolicy.FailClosed), [Budget], _time);
        IReadOnlyList<BudgetWindowReconciliation> repaired = await reconciler.RepairAsync(ledger, Month, Month.AddMonths(1));
        await store.FlushAsync();

        Assert.Equal([(-4m, BudgetRepair.Repaired)], repaired.Select(w => (w.Drift.Cost, w.Repair)));
        Assert.False(store.IsGenerationLost);
        Assert.Equal(4m, (await store.GetUsageAsync(Window)).Committed.Cost);
        Assert.True((await store.TryReserveAsync(Window, "fifth", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
        Assert.False((await store.TryReserveAsync(Window, "sixth", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
    }

    [Fact]
    public async Task Fail_open_after_a_restart_admits_only_the_local_allowance_until_the_counters_are_reseeded()
    {
        string prefix = $"r{Guid.NewGuid():N}:";
        await using var store = new RedisBudgetStore(Options(prefix, RedisFailurePolicy.FailOpen), _time);
        Assert.True((await store.TryReserveAsync(Window, "before", new BudgetUsage(0, 0, 4m), Ceiling)).IsReserved);
        await store.CommitAsync(Window, "before", new BudgetUsage(0, 0, 4m));

        await RestartRedisAsync();
        await store.FlushAsync();

        // The overshoot bound of an undetected-then-detected restart is the local allowance: $0.50 here, not the whole $5.
        Assert.True(store.IsGenerationLost);
        Assert.True((await store.TryReserveAsync(Window, "local-1", new BudgetUsage(0, 0, 0.25m), Ceiling)).IsReserved);
        Assert.True((await store.TryReserveAsync(Window, "local-2", new BudgetUsage(0, 0, 0.25m), Ceiling)).IsReserved);
        Assert.False((await store.TryReserveAsync(Window, "local-3", new BudgetUsage(0, 0, 0.25m), Ceiling)).IsReserved);
    }

    [Fact]
    public async Task A_store_that_first_meets_Redis_after_a_restart_adopts_its_generation_and_stays_open()
    {
        string prefix = $"r{Guid.NewGuid():N}:";
        await using (var before = new RedisBudgetStore(Options(prefix, RedisFailurePolicy.FailClosed), _time))
        {
            await before.FlushAsync();
        }

        await RestartRedisAsync();
        await using var after = new RedisBudgetStore(Options(prefix, RedisFailurePolicy.FailClosed), _time);
        await after.FlushAsync();
        await after.FlushAsync();

        Assert.False(after.IsGenerationLost);
        Assert.True((await after.TryReserveAsync(Window, "first", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
    }
}
