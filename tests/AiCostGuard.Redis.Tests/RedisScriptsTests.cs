using System.Reflection;
using AiCostGuard.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Redis.Tests;

/// <summary>
/// The Redis script applies the core's ceilings table: given the rows as arguments, it refuses exactly where the
/// in-memory store (the table's own check) refuses, naming the same ceiling, limit and use, for every row.
/// </summary>
public sealed class RedisScriptsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_script_has_no_ceiling_of_its_own_only_the_rows_it_is_given()
    {
        var limits = new BudgetLimits { MaximumInputTokens = 10, MaximumCost = 0.25m };
        object[] args = [.. RedisCeilings.Arguments(limits).Select(v => (object)(long)v)];

        object[] expected = [.. Ceilings.All.ToArray().SelectMany(c => new object[] { RedisCeilings.Limit(limits, c), (long)c.InputWeight, (long)c.OutputWeight, c.CountsCost ? 1L : 0L })];
        Assert.Equal(expected, args);
        int input = Ceilings.Kinds.IndexOf(BudgetLimitKind.InputTokens) * 4, cost = Ceilings.Kinds.IndexOf(BudgetLimitKind.Cost) * 4;
        Assert.Equal([10L, 1L, 0L, 0L], args[input..(input + 4)]);
        Assert.Equal([250_000_000L, 0L, 0L, 1L], args[cost..(cost + 4)]);
        Assert.DoesNotContain("MaximumCost", RedisScripts.Reserve, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_ceiling_refuses_on_Redis_where_the_table_refuses_with_the_same_breach()
    {
        await using var store = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = false }, _time);
        var random = new Random(20261201);
        var refusedBy = new HashSet<BudgetLimitKind>();
        for (int round = 0; round < 120; round++)
        {
            // Every row of the table, by its property's name: a ceiling added to the table is covered without a change here.
            var limits = new BudgetLimits();
            foreach (Ceiling c in Ceilings.All)
            {
                PropertyInfo property = typeof(BudgetLimits).GetProperty("Maximum" + c.Kind)!;
                object? value = random.Next(3) == 0 ? null
                    : c.CountsCost ? (object)(random.Next(1, 1_000) / 1_000m)
                    : (object)((long)random.Next(50, 400) * (c.InputWeight + c.OutputWeight));
                property.SetValue(limits, value);
            }

            var window = new BudgetWindow($"table-{round}", _time.GetUtcNow().Date, _time.GetUtcNow().Date.AddDays(1), TimeSpan.Zero, 1);
            var memory = new InMemoryBudgetStore();
            for (int call = 0; call < 4; call++)
            {
                var amount = new BudgetUsage(random.Next(0, 250), random.Next(0, 250), random.Next(0, 500) / 1_000m);
                BudgetReservation expected = await memory.TryReserveAsync(window, $"c{call}", amount, limits);
                BudgetReservation actual = await store.TryReserveAsync(window, $"c{call}", amount, limits);

                Assert.Equal(expected, actual);
                if (expected.LimitKind is { } kind)
                {
                    refusedBy.Add(kind);
                }
            }
        }

        Assert.Equal(Ceilings.Kinds.ToArray().Order(), refusedBy.Order());
    }
}
