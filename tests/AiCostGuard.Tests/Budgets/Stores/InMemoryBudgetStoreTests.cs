using FsCheck;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Budgets.Stores;

public sealed class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset Day = new(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly BudgetWindow Window = new("daily|team=search", Day, Day.AddDays(1), TimeSpan.Zero, 1);
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 1m, MaximumTotalTokens = 1000 };

    [Fact]
    public async Task A_commit_is_counted_once_per_call_id_and_refunds_the_rest_of_the_reservation()
    {
        var store = new InMemoryBudgetStore();
        Assert.True((await store.TryReserveAsync(Window, "call-1", new BudgetUsage(100, 400, 0.5m), Ceiling)).IsReserved);
        Assert.True((await store.TryReserveAsync(Window, "call-1", new BudgetUsage(100, 400, 0.5m), Ceiling)).IsReserved);
        Assert.Equal(new BudgetUsage(100, 400, 0.5m), (await store.GetUsageAsync(Window)).Reserved);

        await store.CommitAsync(Window, "call-1", new BudgetUsage(100, 20, 0.1m));
        await store.CommitAsync(Window, "call-1", new BudgetUsage(100, 20, 0.1m));

        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(100, 20, 0.1m), default), await store.GetUsageAsync(Window));
    }

    [Fact]
    public async Task A_refusal_names_the_ceiling_and_what_was_used_against_it()
    {
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(Window, "a", new BudgetUsage(500, 300, 0.1m), Ceiling);

        BudgetReservation refused = await store.TryReserveAsync(Window, "b", new BudgetUsage(100, 101, 0.1m), Ceiling);

        Assert.Equal(new BudgetReservation(false, BudgetLimitKind.TotalTokens, 1000, 800), refused);
    }

    [Fact]
    public async Task A_commit_without_a_reservation_is_still_recorded()
    {
        var store = new InMemoryBudgetStore();
        await store.CommitAsync(Window, "shadowed", new BudgetUsage(10, 10, 2m));
        Assert.Equal(2m, (await store.GetUsageAsync(Window)).Committed.Cost);
    }

    [Fact]
    public async Task A_new_period_starts_empty_and_a_late_commit_of_the_old_one_does_not_leak_into_it()
    {
        var store = new InMemoryBudgetStore();
        BudgetWindow next = Window with { Start = Window.End, End = Window.End.AddDays(1) };
        await store.TryReserveAsync(Window, "late", new BudgetUsage(0, 0, 0.9m), Ceiling);

        Assert.True((await store.TryReserveAsync(next, "new", new BudgetUsage(0, 0, 0.9m), Ceiling)).IsReserved);
        await store.CommitAsync(Window, "late", new BudgetUsage(0, 0, 0.5m));

        Assert.Equal(new BudgetWindowUsage(default, new BudgetUsage(0, 0, 0.9m)), await store.GetUsageAsync(next));
    }

    [Fact]
    public async Task Operations_complete_synchronously()
    {
        var store = new InMemoryBudgetStore();
        ValueTask<BudgetReservation> reserve = store.TryReserveAsync(Window, "x", new BudgetUsage(1, 1, 0.01m), Ceiling);
        ValueTask commit = store.CommitAsync(Window, "x", new BudgetUsage(1, 1, 0.01m));
        Assert.True(reserve.IsCompletedSuccessfully && commit.IsCompletedSuccessfully);
        await reserve;
        await commit;
    }

    [Property(MaxTest = 200)]
    public bool Committed_plus_reserved_never_exceeds_the_ceiling_when_actuals_stay_within_reservations((PositiveInt Cost, byte Percent, bool Commit)[] ops)
    {
        var store = new InMemoryBudgetStore();
        var limits = new BudgetLimits { MaximumCost = 1m };
        var open = new List<(string Id, decimal Cost)>();
        for (int i = 0; i < ops.Length; i++)
        {
            (int cost, int percent, bool commit) = (ops[i].Cost.Get % 400, ops[i].Percent % 101, ops[i].Commit);
            if (commit && open.Count > 0)
            {
                (string id, decimal held) = open[0];
                open.RemoveAt(0);
                store.CommitAsync(Window, id, new BudgetUsage(0, 0, held * percent / 100m)).AsTask().GetAwaiter().GetResult();
            }
            else if (store.TryReserveAsync(Window, $"c{i}", new BudgetUsage(0, 0, cost / 1000m), limits).AsTask().Result.IsReserved)
            {
                open.Add(($"c{i}", cost / 1000m));
            }

            if (store.GetUsageAsync(Window).AsTask().Result.Used.Cost > 1m)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task Parallel_reservations_never_hold_more_than_the_ceiling()
    {
        var store = new InMemoryBudgetStore();
        int reserved = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), async (i, ct) =>
        {
            if ((await store.TryReserveAsync(Window, $"p{i}", new BudgetUsage(0, 0, 0.01m), Ceiling, ct)).IsReserved)
            {
                Interlocked.Increment(ref reserved);
            }
        });

        Assert.Equal(100, reserved);
        Assert.Equal(1m, (await store.GetUsageAsync(Window)).Reserved.Cost);
    }
}
