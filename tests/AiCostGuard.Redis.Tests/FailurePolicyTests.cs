using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

public sealed class FailurePolicyTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 10m };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionMultiplexer? _connection;

    public async ValueTask InitializeAsync()
    {
        var configuration = ConfigurationOptions.Parse(redis.Endpoint);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(200);
        _connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        _connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Volatile.Read(ref _restored).TrySetResult();
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private RedisBudgetStore Store(RedisFailurePolicy policy) => new(
        new RedisBudgetStoreOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(_connection!),
            UseLeases = false,
            FailurePolicy = policy,
            FailOpenLimits = { MaximumCost = 0.10m },
        },
        _time);

    private static BudgetWindow Window(string key) =>
        new(key, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero, 1);

    /// <summary>
    /// Restarts redis-server and returns once this test's connection reaches it. A restored-connection event is only a
    /// hint (one raised while the first connection was being made can arrive late), so each is checked with a PING; the
    /// signal is re-armed before every PING, so a restoration between the PING and the wait is not missed.
    /// </summary>
    private async Task BringRedisBackAsync(RedisBudgetStoreOptions? options = null)
    {
        await redis.StartAsync();
        using var deadline = new CancellationTokenSource(ReconnectTimeout);
        while (true)
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _restored, next);
            try
            {
                await _connection!.GetDatabase().PingAsync();
                break;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
            }

            try
            {
                await next.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The connection was not restored within {ReconnectTimeout} after redis-server restarted.");
            }
        }

        _time.Advance(options?.CircuitBreakDuration ?? new RedisBudgetStoreOptions().CircuitBreakDuration);
    }

    [Fact]
    public async Task Fail_closed_rejects_while_Redis_is_down_opens_the_circuit_and_closes_it_when_Redis_returns()
    {
        BudgetWindow window = Window($"closed-{Guid.NewGuid():N}");
        await using RedisBudgetStore store = Store(RedisFailurePolicy.FailClosed);
        Assert.True((await store.TryReserveAsync(window, "before", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);

        await redis.StopAsync();
        BudgetStoreUnavailableException first = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => store.TryReserveAsync(window, "down-1", new BudgetUsage(0, 0, 1m), Ceiling).AsTask());
        Assert.IsAssignableFrom<RedisException>(first.InnerException);
        Assert.Contains("fails closed", first.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => store.TryReserveAsync(window, "down-2", new BudgetUsage(0, 0, 1m), Ceiling).AsTask());
        BudgetStoreUnavailableException open = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => store.TryReserveAsync(window, "down-3", new BudgetUsage(0, 0, 1m), Ceiling).AsTask());
        Assert.IsType<BrokenCircuitException>(open.InnerException, exactMatch: false);

        // A commit while Redis is down is kept, not lost.
        await store.CommitAsync(window, "before", new BudgetUsage(0, 0, 0.4m));
        Assert.Equal(1, store.PendingCommitCount);

        await BringRedisBackAsync();
        Assert.True((await store.TryReserveAsync(window, "after", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
        await store.FlushAsync();

        // The server comes back empty (it keeps nothing on disk): it holds the replayed commit and the new reservation.
        Assert.Equal(0, store.PendingCommitCount);
        BudgetWindowUsage usage = await store.GetUsageAsync(window);
        Assert.Equal((0.4m, 1m), (usage.Committed.Cost, usage.Reserved.Cost));
    }

    [Fact]
    public async Task Fail_open_admits_calls_up_to_the_local_cap_and_writes_their_spend_when_Redis_returns()
    {
        BudgetWindow window = Window($"open-{Guid.NewGuid():N}");
        await using RedisBudgetStore store = Store(RedisFailurePolicy.FailOpen);
        Assert.True((await store.TryReserveAsync(window, "before", new BudgetUsage(0, 0, 1m), Ceiling)).IsReserved);
        await store.CommitAsync(window, "before", new BudgetUsage(0, 0, 1m));

        await redis.StopAsync();
        for (int i = 0; i < 3; i++)
        {
            Assert.True((await store.TryReserveAsync(window, $"down-{i}", new BudgetUsage(0, 0, 0.03m), Ceiling)).IsReserved);
        }

        BudgetReservation capped = await store.TryReserveAsync(window, "down-3", new BudgetUsage(0, 0, 0.03m), Ceiling);
        Assert.Equal(new BudgetReservation(false, BudgetLimitKind.Cost, 0.10m, 0.09m), capped);
        for (int i = 0; i < 3; i++)
        {
            await store.CommitAsync(window, $"down-{i}", new BudgetUsage(0, 0, 0.02m));
        }

        Assert.Equal(3, store.PendingCommitCount);

        await BringRedisBackAsync();
        await store.FlushAsync();

        // The server comes back empty (it keeps nothing on disk): what it holds now is exactly the replayed spend, and the
        // dollar spent before the outage is gone. The store sees that its generation is gone, so it does not take the
        // empty counters for the truth: it stays on the local allowance until they are re-seeded from the ledger.
        Assert.Equal(0, store.PendingCommitCount);
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(0, 0, 0.06m), default), await store.GetUsageAsync(window));
        Assert.True(store.IsGenerationLost);
        Assert.False((await store.TryReserveAsync(window, "after", new BudgetUsage(0, 0, 9.94m), Ceiling)).IsReserved);
        Assert.True((await store.TryReserveAsync(window, "within-local-cap", new BudgetUsage(0, 0, 0.01m), Ceiling)).IsReserved);
    }
}
