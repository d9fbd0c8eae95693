using System.Globalization;
using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

public sealed class RedisBudgetStoreTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 10m, MaximumTotalTokens = 1_000_000 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    private RedisBudgetStore Store(bool leases, double fraction = 0.01) =>
        new(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = leases, LeaseFraction = fraction }, _time);

    private static BudgetWindow Daily(string key, DateTimeOffset day) => new(key, day.Date, day.Date.AddDays(1), TimeSpan.Zero, 1);

    private BudgetWindow Today(string prefix) => Daily($"{prefix}-{Guid.NewGuid():N}", _time.GetUtcNow());

    private async Task<long> ScriptCallsAsync()
    {
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        string info = (await connection.GetServer(redis.Endpoint).InfoRawAsync("commandstats"))!;
        long calls = 0;
        foreach (string line in info.Split('\n'))
        {
            if (line.StartsWith("cmdstat_eval", StringComparison.Ordinal))
            {
                string count = line[(line.IndexOf("calls=", StringComparison.Ordinal) + 6)..];
                calls += long.Parse(count[..count.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    [Fact]
    public async Task A_commit_is_counted_once_per_call_id_and_refunds_the_rest_of_the_reservation()
    {
        BudgetWindow window = Today("idempotent");
        await using RedisBudgetStore store = Store(leases: false);
        Assert.True((await store.TryReserveAsync(window, "call", new BudgetUsage(100, 400, 0.5m), Ceiling)).IsReserved);
        Assert.Equal(new BudgetUsage(100, 400, 0.5m), (await store.GetUsageAsync(window)).Reserved);

        await store.CommitAsync(window, "call", new BudgetUsage(100, 20, 0.123456789m));
        await store.CommitAsync(window, "call", new BudgetUsage(100, 20, 0.123456789m));

        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(100, 20, 0.123456789m), default), await store.GetUsageAsync(window));
    }

    [Fact]
    public async Task A_refusal_names_the_ceiling_and_what_is_used_against_it_in_dollars()
    {
        BudgetWindow window = Today("refusal");
        await using RedisBudgetStore store = Store(leases: false);
        await store.TryReserveAsync(window, "a", new BudgetUsage(0, 0, 9.5m), Ceiling);

        BudgetReservation refused = await store.TryReserveAsync(window, "b", new BudgetUsage(0, 0, 0.6m), Ceiling);

        Assert.Equal(new BudgetReservation(false, BudgetLimitKind.Cost, 10m, 9.5m), refused);
    }

    [Fact]
    public async Task With_leases_most_calls_make_no_round_trip_and_the_flush_returns_what_was_not_spent()
    {
        BudgetWindow window = Today("leased");
        await using RedisBudgetStore store = Store(leases: true, fraction: 0.01);
        long before = await ScriptCallsAsync();

        // $0.10 leases; 100 calls of $0.01 worst case, $0.004 actual.
        for (int i = 0; i < 100; i++)
        {
            Assert.True((await store.TryReserveAsync(window, $"c{i}", new BudgetUsage(0, 0, 0.01m), Ceiling)).IsReserved);
            await store.CommitAsync(window, $"c{i}", new BudgetUsage(0, 0, 0.004m));
        }

        long trips = await ScriptCallsAsync() - before;
        Assert.InRange(trips, 1, 10);

        BudgetWindowUsage leased = await store.GetUsageAsync(window);
        Assert.Equal(0m, leased.Committed.Cost % 0.004m);
        Assert.True(leased.Reserved.Cost > 0, "The lease is held in Redis as a reservation.");
        await store.FlushAsync();
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(0, 0, 0.4m), default), await store.GetUsageAsync(window));
    }

    [Fact]
    public async Task A_lease_is_renewed_after_half_its_duration_and_flushed_in_the_background()
    {
        BudgetWindow window = Today("renewed");
        await using RedisBudgetStore store = Store(leases: true);
        await store.TryReserveAsync(window, "a", new BudgetUsage(0, 0, 0.01m), Ceiling);
        await store.CommitAsync(window, "a", new BudgetUsage(0, 0, 0.01m));
        Assert.Equal(0m, (await store.GetUsageAsync(window)).Committed.Cost);

        // The background flush runs every third of the lease duration (10 s).
        _time.Advance(TimeSpan.FromSeconds(10));
        await store.FlushAsync();
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(0, 0, 0.01m), default), await store.GetUsageAsync(window));
    }

    [Fact]
    public async Task Two_stores_on_one_window_refuse_once_their_leases_and_spend_reach_the_ceiling()
    {
        BudgetWindow window = Today("two");
        var small = new BudgetLimits { MaximumCost = 1m };
        await using RedisBudgetStore first = Store(leases: true, fraction: 0.2);
        await using RedisBudgetStore second = Store(leases: true, fraction: 0.2);
        int admitted = 0;
        for (int i = 0; i < 40; i++)
        {
            RedisBudgetStore store = i % 2 == 0 ? first : second;
            if ((await store.TryReserveAsync(window, $"c{i}", new BudgetUsage(0, 0, 0.05m), small)).IsReserved)
            {
                admitted++;
                await store.CommitAsync(window, $"c{i}", new BudgetUsage(0, 0, 0.05m));
            }
        }

        await first.FlushAsync();
        await second.FlushAsync();
        Assert.Equal(20, admitted);
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(0, 0, 1m), default), await first.GetUsageAsync(window));
    }

    [Fact]
    public async Task A_lease_that_lapses_with_unreported_spend_overshoots_by_at_most_that_lease()
    {
        BudgetWindow window = Today("lapsed");
        var ceiling = new BudgetLimits { MaximumCost = 1m };
        var stalled = new FakeTimeProvider(_time.GetUtcNow());
        var later = new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromSeconds(31));
        await using var a = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, LeaseFraction = 0.1 }, stalled);
        await using var b = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, LeaseFraction = 0.1 }, later);

        // A spends $0.05 under a $0.10 lease, then stalls past the lease duration before reporting it.
        Assert.True((await a.TryReserveAsync(window, "a", new BudgetUsage(0, 0, 0.05m), ceiling)).IsReserved);
        await a.CommitAsync(window, "a", new BudgetUsage(0, 0, 0.05m));

        // B's clock is past A's lease: A's lease is reclaimed and B may use the whole budget.
        int admitted = 0;
        while ((await b.TryReserveAsync(window, $"b{admitted}", new BudgetUsage(0, 0, 0.05m), ceiling)).IsReserved)
        {
            await b.CommitAsync(window, $"b{admitted}", new BudgetUsage(0, 0, 0.05m));
            admitted++;
        }

        await b.FlushAsync();
        await a.FlushAsync();

        decimal overshoot = (await b.GetUsageAsync(window)).Committed.Cost - 1m;
        Assert.Equal(20, admitted);
        Assert.Equal(0.05m, overshoot);
        Assert.True(overshoot <= 0.1m, "The overshoot stays within the lapsed lease.");
    }

    [Fact]
    public async Task A_rolling_window_on_Redis_forgets_a_bucket_once_it_leaves_the_window()
    {
        string key = $"rolling-{Guid.NewGuid():N}";
        var budget = new BudgetLimits { MaximumCost = 1m };
        await using RedisBudgetStore store = Store(leases: false);
        BudgetWindow At(DateTimeOffset now)
        {
            DateTimeOffset start = new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            return new BudgetWindow(key, start, start.AddHours(1), TimeSpan.FromHours(1), 24);
        }

        BudgetWindow first = At(_time.GetUtcNow());
        await store.TryReserveAsync(first, "a", new BudgetUsage(0, 0, 1m), budget);
        await store.CommitAsync(first, "a", new BudgetUsage(0, 0, 0.8m));

        _time.Advance(TimeSpan.FromHours(23));
        Assert.False((await store.TryReserveAsync(At(_time.GetUtcNow()), "b", new BudgetUsage(0, 0, 0.5m), budget)).IsReserved);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.True((await store.TryReserveAsync(At(_time.GetUtcNow()), "c", new BudgetUsage(0, 0, 0.5m), budget)).IsReserved);
    }

    [Fact]
    public void Invalid_options_are_listed_together()
    {
        var options = new RedisBudgetStoreOptions { LeaseFraction = 2, KeyPrefix = string.Empty, FailurePolicy = RedisFailurePolicy.FailOpen, OperationTimeout = TimeSpan.Zero };

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new RedisBudgetStore(options));

        string[] failures = [.. e.Failures];
        Assert.Contains(failures, f => f.StartsWith("Configuration: set a Redis configuration string", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("LeaseFraction", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("KeyPrefix", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OperationTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FailOpenLimits: fail-open needs a local cap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddRedisBudgetStore_registers_the_store_period_budgets_use()
    {
        var services = new ServiceCollection();
        services.AddCostGovernance(o => o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "monthly", Limits = { MaximumCost = 1m } }))
            .AddRedisBudgetStore(o => o.Configuration = redis.Endpoint);
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<RedisBudgetStore>(), provider.GetRequiredService<IBudgetStore>());
    }
}
