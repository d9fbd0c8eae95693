using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Stores;

public sealed class InMemoryBudgetStoreEvictionTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 1m };

    private static string User(int i) => "daily-user|user=" + i.ToString(CultureInfo.InvariantCulture);

    private static BudgetWindow Daily(string key, DateTimeOffset now)
    {
        (DateTimeOffset start, DateTimeOffset end) = PeriodCalendar.Calendar(BudgetPeriod.Daily, TimeZoneInfo.Utc, DayOfWeek.Monday, now);
        return new BudgetWindow(key, start, end, TimeSpan.Zero, 1);
    }

    private static BudgetWindow Rolling(string key, DateTimeOffset now)
    {
        (DateTimeOffset start, DateTimeOffset end) = PeriodCalendar.Bucket(TimeSpan.FromHours(6), now);
        return new BudgetWindow(key, start, end, TimeSpan.FromHours(6), 4);
    }

    private static bool Spend(InMemoryBudgetStore store, BudgetWindow window, string id, decimal cost)
    {
        bool reserved = store.TryReserveAsync(window, id, new BudgetUsage(0, 0, cost), Ceiling).AsTask().Result.IsReserved;
        if (reserved)
        {
            store.CommitAsync(window, id, new BudgetUsage(0, 0, cost)).AsTask().GetAwaiter().GetResult();
        }

        return reserved;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hundred_thousand_users_over_a_hundred_days_keep_the_store_to_the_users_whose_window_still_counts(bool rolling)
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore();
        int most = 0;
        for (int i = 0; i < 100_000; i++)
        {
            BudgetWindow window = rolling ? Rolling(User(i), time.GetUtcNow()) : Daily(User(i), time.GetUtcNow());
            Assert.True(Spend(store, window, $"call-{i}", 0.01m));
            if (i % 16 == 0)
            {
                // Counting takes every lock of the dictionary: sampled, so the test stays quick.
                most = Math.Max(most, store.KeyCount);
            }

            time.Advance(TimeSpan.FromSeconds(86.4));
        }

        // A thousand users a day: a day's users count until the day (or the last of their four 6-hour buckets) is over;
        // the sweep checks two keys per new one, so at most about as many again wait for it.
        Assert.InRange(most, 1000 - 16, (2 * 1000) + 10);
    }

    [Fact]
    public void Without_eviction_every_user_ever_seen_stays()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore(evictIdleKeys: false);
        for (int i = 0; i < 3000; i++)
        {
            Spend(store, Daily(User(i), time.GetUtcNow()), $"call-{i}", 0.01m);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(3000, store.KeyCount);
    }

    [Fact]
    public async Task A_key_evicted_then_reused_starts_fresh_and_its_limit_still_holds()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore();
        BudgetWindow yesterday = Daily("daily-user|user=a", time.GetUtcNow());
        Assert.True(Spend(store, yesterday, "a-1", 0.9m));
        Assert.False(Spend(store, yesterday, "a-2", 0.2m));
        Assert.True(await store.TryReserveAsync(Daily("daily-user|user=b", time.GetUtcNow()), "b-1", new BudgetUsage(0, 0, 0.5m), Ceiling) is { IsReserved: true });

        // The next day, new users sweep out user a, whose only bucket is over; user b still holds a reservation that a
        // late commit of yesterday's call will settle, so it too is over and goes.
        time.Advance(TimeSpan.FromDays(1));
        foreach (string user in new[] { "c", "d", "e", "f" })
        {
            Spend(store, Daily("daily-user|user=" + user, time.GetUtcNow()), user, 0.1m);
        }

        Assert.Equal(4, store.KeyCount);

        BudgetWindow today = Daily("daily-user|user=a", time.GetUtcNow());
        Assert.Equal(default, await store.GetUsageAsync(today));
        Assert.True(Spend(store, today, "a-3", 0.6m));
        Assert.False(Spend(store, today, "a-4", 0.6m));
        Assert.Equal(0.6m, (await store.GetUsageAsync(today)).Committed.Cost);
    }

    [Fact]
    public async Task A_key_whose_period_is_not_over_is_kept_however_many_new_keys_arrive()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore();
        BudgetWindow month = new("monthly-user|user=a", new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero, 1);
        Assert.True(Spend(store, month, "a-1", 0.9m));
        for (int i = 0; i < 500; i++)
        {
            time.Advance(TimeSpan.FromHours(1));
            Spend(store, Rolling(User(i), time.GetUtcNow()), $"call-{i}", 0.01m);
        }

        Assert.Equal(0.9m, (await store.GetUsageAsync(month)).Committed.Cost);
        Assert.False(Spend(store, month, "a-2", 0.2m));
    }

    internal sealed record Operation(int Key, int Hours, int Cents, int Percent, bool Settle);

    private static readonly Gen<Operation[]> Operations = Gen.ArrayOf(
        from key in Gen.Choose(0, 24)
        from hours in Gen.OneOf(Gen.Choose(0, 2), Gen.Choose(0, 2), Gen.Choose(3, 30), Gen.Choose(31, 200))
        from cents in Gen.Choose(0, 60)
        from percent in Gen.Choose(0, 100)
        from settle in Gen.Elements(true, true, false)
        select new Operation(key, hours, cents, percent, settle));

    [Property(MaxTest = 200)]
    public Property Eviction_changes_no_decision() =>
        Prop.ForAll(Gen.Elements(false, true).ToArbitrary(), Operations.ToArbitrary(), SameDecisions);

    private static void SameDecisions(bool rolling, Operation[] operations)
    {
        var evicting = new InMemoryBudgetStore();
        var keeping = new InMemoryBudgetStore(evictIdleKeys: false);
        var pending = new List<(BudgetWindow Window, string Id, decimal Actual)>();
        DateTimeOffset now = Start;
        for (int i = 0; i < operations.Length; i++)
        {
            Operation op = operations[i];
            now = now.AddHours(op.Hours);
            string key = User(op.Key);
            BudgetWindow window = rolling ? Rolling(key, now) : Daily(key, now);
            var amount = new BudgetUsage(0, 0, op.Cents / 100m);
            string id = $"call-{i}";
            BudgetReservation kept = keeping.TryReserveAsync(window, id, amount, Ceiling).AsTask().Result;
            Assert.Equal(kept, evicting.TryReserveAsync(window, id, amount, Ceiling).AsTask().Result);

            // Some calls settle at once, others later, when their window may be over (a late commit).
            var actual = new BudgetUsage(0, 0, op.Cents * op.Percent / 10_000m);
            if (op.Settle)
            {
                foreach ((BudgetWindow Window, string Id, decimal Actual) late in pending.Where(p => p.Window.Key == key).ToList())
                {
                    keeping.CommitAsync(late.Window, late.Id, new BudgetUsage(0, 0, late.Actual)).AsTask().GetAwaiter().GetResult();
                    evicting.CommitAsync(late.Window, late.Id, new BudgetUsage(0, 0, late.Actual)).AsTask().GetAwaiter().GetResult();
                    pending.Remove(late);
                }

                keeping.CommitAsync(window, id, actual).AsTask().GetAwaiter().GetResult();
                evicting.CommitAsync(window, id, actual).AsTask().GetAwaiter().GetResult();
            }
            else if (kept.IsReserved)
            {
                pending.Add((window, id, actual.Cost));
            }

            Assert.Equal(keeping.GetUsageAsync(window).AsTask().Result, evicting.GetUsageAsync(window).AsTask().Result);
        }

        Assert.True(evicting.KeyCount <= keeping.KeyCount);
    }
}
