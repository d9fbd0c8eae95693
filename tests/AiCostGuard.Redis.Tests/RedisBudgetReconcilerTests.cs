using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

/// <summary>Reconciliation against a real redis-server: calls through the middleware fill Redis and the ledger, drift is injected, found, and repaired.</summary>
public sealed class RedisBudgetReconcilerTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Month = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NextMonth = Month.AddMonths(1);

    private sealed class Model : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-4o-mini",
                Usage = new UsageDetails { InputTokenCount = 1_000 + messages.Count(), OutputTokenCount = 77 },
            });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("model", defaultModelId: "gpt-4o-mini") : null;

        public void Dispose()
        {
        }
    }

    private static PeriodBudgetOptions[] Budgets() =>
    [
        new() { Name = "monthly", Period = BudgetPeriod.Monthly, Dimensions = AttributionDimensions.Team, Limits = { MaximumCost = 100m } },
        new() { Name = "hourly", Period = BudgetPeriod.Rolling, RollingWindow = TimeSpan.FromHours(1), RollingBuckets = 6, Dimensions = AttributionDimensions.Feature, Limits = { MaximumCost = 100m } },
    ];

    private RedisBudgetStoreOptions StoreOptions(string prefix) => new() { Configuration = redis.Endpoint, KeyPrefix = prefix, UseLeases = false };

    /// <summary>Sends 30 calls for three teams and two features, one a minute, through the middleware onto Redis; returns the ledger's calls.</summary>
    private static async Task<IReadOnlyList<CostRecord>> SpendAsync(RedisBudgetStore store, FakeTimeProvider time)
    {
        var ledger = new InMemoryCostLedger();
        var options = new CostGovernanceOptions { Ledger = ledger, BudgetStore = store };
        foreach (PeriodBudgetOptions budget in Budgets())
        {
            options.PeriodBudgets.Add(budget);
        }

        using var client = new CostGovernanceChatClient(new Model(), options, time);
        string[] teams = ["a", "b", "c"];
        for (int i = 0; i < 30; i++)
        {
            using (CostAttribution.Begin(new CostAttribution { Team = teams[i % 3], Feature = i % 2 == 0 ? "x" : "y" }))
            {
                await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);
            }

            // Advancing the clock fires the store's flush timer; let that flush finish before the clock moves again, or
            // its Redis operation would time out on the fake clock.
            time.Advance(TimeSpan.FromMinutes(1));
            await store.FlushAsync();
        }

        return ledger.GetRecords();
    }

    private static string MonthlyTotals(string prefix, string team) => $"{prefix}{{monthly|team={team}}}:{Month.ToUnixTimeSeconds()}:c";

    [Fact]
    public async Task Windows_that_agree_show_no_drift_for_calendar_periods_and_rolling_buckets()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        string prefix = $"t{Guid.NewGuid():N}:";
        await using var store = new RedisBudgetStore(StoreOptions(prefix), time);
        IReadOnlyList<CostRecord> calls = await SpendAsync(store, time);
        await using var reconciler = new RedisBudgetReconciler(StoreOptions(prefix), Budgets(), time);

        IReadOnlyList<BudgetWindowReconciliation> windows = await reconciler.CompareAsync(calls, Month, NextMonth);

        // Three teams' months; two features in the three 10-minute buckets the 30 minutes span.
        Assert.Equal(3, windows.Count(w => w.Budget == "monthly"));
        Assert.Equal(6, windows.Count(w => w.Budget == "hourly"));
        Assert.All(windows, w => Assert.False(w.HasDrift, $"{w.Key} at {w.Start:O}: ledger {w.Ledger}, Redis {w.Redis}"));
        Assert.Equal(calls.Sum(c => c.Cost), windows.Where(w => w.Budget == "monthly").Sum(w => w.Ledger.Cost));
    }

    [Fact]
    public async Task Injected_drift_is_found_and_repaired_once_by_racing_reconcilers_and_a_second_repair_changes_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        string prefix = $"t{Guid.NewGuid():N}:";
        await using var store = new RedisBudgetStore(StoreOptions(prefix), time);
        IReadOnlyList<CostRecord> calls = await SpendAsync(store, time);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        IDatabase db = connection.GetDatabase();

        // Inflated (a counter 3.6x the truth), lost (as after a restart), and a counter with no call behind it.
        long truthA = (long)await db.HashGetAsync(MonthlyTotals(prefix, "a"), "c");
        await db.HashSetAsync(MonthlyTotals(prefix, "a"), "c", (long)(truthA * 3.6));
        await db.KeyDeleteAsync(MonthlyTotals(prefix, "b"));
        await db.HashSetAsync(MonthlyTotals(prefix, "ghost"), [new HashEntry("i", 5), new HashEntry("o", 5), new HashEntry("c", 2_000_000_000)]);

        await using var first = new RedisBudgetReconciler(StoreOptions(prefix), Budgets(), time);
        IReadOnlyList<BudgetWindowReconciliation> found = await first.CompareAsync(calls, Month, NextMonth);
        BudgetWindowReconciliation[] drifted = [.. found.Where(w => w.HasDrift)];

        Assert.Equal(["monthly|team=a", "monthly|team=b", "monthly|team=ghost"], drifted.Select(w => w.Key));
        Assert.Equal(RedisAmountOf(truthA * 3.6) - RedisAmountOf(truthA), drifted[0].Drift.Cost);
        Assert.Equal(-calls.Where(c => c.Attribution.Team == "b").Sum(c => c.Cost), drifted[1].Drift.Cost);
        Assert.Equal(new BudgetUsage(5, 5, 2m), drifted[2].Drift);

        RedisBudgetReconciler[] racers = [.. Enumerable.Range(0, 4).Select(_ => new RedisBudgetReconciler(StoreOptions(prefix), Budgets(), time))];
        IReadOnlyList<BudgetWindowReconciliation>[] repairs = await Task.WhenAll(racers.Select(r => r.RepairAsync(calls, Month, NextMonth)));
        foreach (RedisBudgetReconciler racer in racers)
        {
            await racer.DisposeAsync();
        }

        // Each drifted window is set once; the other racers find it already repaired, or no longer drifted.
        foreach (string key in drifted.Select(w => w.Key))
        {
            BudgetWindowReconciliation[] outcomes = [.. repairs.SelectMany(r => r).Where(w => w.Key == key)];
            Assert.Equal(1, outcomes.Count(w => w.Repair == BudgetRepair.Repaired));
            Assert.All(outcomes, w => Assert.Contains(w.Repair, new[] { BudgetRepair.Repaired, BudgetRepair.AlreadyRepaired, BudgetRepair.None }));
        }

        Assert.All(await first.CompareAsync(calls, Month, NextMonth), w => Assert.False(w.HasDrift));
        Assert.All(await first.RepairAsync(calls, Month, NextMonth), w => Assert.Equal(BudgetRepair.None, w.Repair));

        // The store reads the repaired totals: team b's month counts its calls again.
        BudgetWindowUsage b = await store.GetUsageAsync(new BudgetWindow("monthly|team=b", Month, NextMonth, TimeSpan.Zero, 1));
        Assert.Equal(calls.Where(c => c.Attribution.Team == "b").Sum(c => c.Cost), b.Committed.Cost);
    }

    [Fact]
    public async Task Windows_not_wholly_inside_the_range_are_not_judged_on_part_of_their_calls()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        string prefix = $"t{Guid.NewGuid():N}:";
        await using var store = new RedisBudgetStore(StoreOptions(prefix), time);
        IReadOnlyList<CostRecord> calls = await SpendAsync(store, time);
        await using var reconciler = new RedisBudgetReconciler(StoreOptions(prefix), Budgets(), time);

        IReadOnlyList<BudgetWindowReconciliation> windows = await reconciler.CompareAsync(calls, new DateTimeOffset(2026, 5, 10, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 11, 0, 0, 0, TimeSpan.Zero));

        Assert.DoesNotContain(windows, w => w.Budget == "monthly");
        Assert.Equal(6, windows.Count);
    }

    private static decimal RedisAmountOf(double nanos) => (long)nanos / 1_000_000_000m;
}
