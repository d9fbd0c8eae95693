using AiCostGuard.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

/// <summary>A reservation the server runs after the client stopped waiting for it (the server was paused past the operation timeout).</summary>
public sealed class ReservationTimeoutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 10m };

    [Theory]
    [InlineData(RedisFailurePolicy.FailClosed)]
    [InlineData(RedisFailurePolicy.FailOpen)]
    public async Task A_reservation_the_server_ran_after_the_client_timed_out_is_released_by_the_next_flush(RedisFailurePolicy policy)
    {
        var window = new BudgetWindow($"late-{Guid.NewGuid():N}", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero, 1);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        await using var store = new RedisBudgetStore(new RedisBudgetStoreOptions
        {
            Configuration = redis.Endpoint,
            KeyPrefix = "late:",
            UseLeases = false,
            OperationTimeout = TimeSpan.FromMilliseconds(100),

            // One timeout must not open the circuit, which would hold the flush back for its break.
            CircuitBreakerMinimumThroughput = 1_000,
            FailurePolicy = policy,
            FailOpenLimits = { MaximumCost = 0.5m },
        });
        await store.FlushAsync();

        // The server holds every client's commands for a second: the reservation times out on the client and runs later.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1000", "ALL");
        if (policy == RedisFailurePolicy.FailClosed)
        {
            await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => store.TryReserveAsync(window, "late", new BudgetUsage(0, 0, 2m), Ceiling).AsTask());
        }
        else
        {
            // Larger than the local allowance: refused locally, and nothing will commit it.
            Assert.False((await store.TryReserveAsync(window, "late", new BudgetUsage(0, 0, 2m), Ceiling)).IsReserved);
        }

        // Queued behind the paused reservation, this read runs after it: the server did reserve the $2.
        RedisValue held = await admin.GetDatabase().HashGetAsync($"late:{{{window.Key}}}:{BudgetWindow.BucketId(window.Start)}:r", "#c");
        Assert.Equal(2_000_000_000L, (long)held);

        await store.FlushAsync();

        Assert.Equal(0, store.PendingCommitCount);
        Assert.Equal(default, (await store.GetUsageAsync(window)).Reserved);
    }
}
