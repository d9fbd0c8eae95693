using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Reports.Pools;

public sealed class GpuPoolAllocationTests
{
    private static readonly DateTimeOffset Monday = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    private static GpuPool Pool(double capacity = 1000, decimal perHour = 2.4m, string name = "h100", params string[] models) =>
        new() { Name = name, CostPerHour = perHour, CapacityTokensPerSecond = capacity, Models = models.Length == 0 ? ["llama-3-70b"] : models };

    private static CostRecord Call(string team, long tokens, string model = "llama-3-70b", int day = 0) => new()
    {
        Timestamp = Monday.AddDays(day),
        Attribution = new CostAttribution { Team = team },
        ModelId = model,
        InputTokens = tokens * 3 / 4,
        OutputTokens = tokens - (tokens * 3 / 4),
        Outcome = CallOutcome.Succeeded,
    };

    [Fact]
    public void Each_consumer_pays_its_token_share_of_capacity_and_the_rest_is_idle()
    {
        CostRecord[] calls = [Call("search", 2_000_000), Call("search", 1_600_000), Call("support", 1_800_000), Call("search", 999, model: "gpt-4o")];

        GpuPoolAllocation pool = Assert.Single(GpuPoolAllocation.Create(calls, [Pool(), Pool(name: "idle-pool", models: "mistral-7b")]));

        // One day: 24 h × $2.40 = $57.60 for 86.4 M tokens of capacity.
        Assert.Equal(("h100", new DateOnly(2026, 7, 20), new DateOnly(2026, 7, 21)), (pool.Pool, pool.Start, pool.End));
        Assert.Equal((57.6m, 86_400_000m), (pool.Cost, pool.CapacityTokens));
        Assert.Equal(["search", "support"], pool.Consumers.Select(c => c.Key["team"]));
        // Each consumer is allocated what its calls are charged at call time: $2.40 / 3600 / 1000 a token, to 18 decimals.
        Assert.Equal(0.000000666666666666m, Pool().CostPerToken);
        Assert.Equal((2L, 3_600_000L, 3_600_000 * 0.000000666666666666m), (pool.Consumers[0].Calls, pool.Consumers[0].Tokens, pool.Consumers[0].Cost));
        Assert.Equal((2.4m, 1.2m), (decimal.Round(pool.Consumers[0].Cost, 6), decimal.Round(pool.Consumers[1].Cost, 6)));
        Assert.Equal(54m, decimal.Round(pool.Idle, 6));
        Assert.Equal(pool.Cost, pool.Consumers.Sum(c => c.Cost) + pool.Idle);
        Assert.Equal(0.0625m, pool.Utilization);
    }

    [Fact]
    public void Calls_above_capacity_share_the_whole_cost_by_tokens_with_nothing_idle()
    {
        CostRecord[] calls = [Call("search", 3_600_000), Call("support", 1_800_000), Call("growth", 1, day: 1)];

        GpuPoolAllocation pool = GpuPoolAllocation.Create(calls, [Pool(capacity: 10)])[0];

        Assert.Equal(115.2m, pool.Cost);
        Assert.Equal(0m, pool.Idle);
        Assert.Equal(pool.Cost, pool.Consumers.Sum(c => c.Cost));
        Assert.Equal(1m, pool.Utilization);
        // 115.2 × 3.6 M / 5.400001 M = 76.7999857…, rounded down, plus the 0.000002 the three rounded shares left.
        Assert.Equal(76.799987m, pool.Consumers[0].Cost);
    }

    [Property(MaxTest = 300)]
    public Property Allocation_plus_idle_is_the_pool_cost_exactly()
    {
        Gen<(int[] Tokens, int Cents, int Capacity)> cases =
            from consumers in Gen.Choose(1, 8)
            from tokens in Gen.ArrayOf(Gen.Choose(0, 50_000_000), consumers)
            from cents in Gen.Choose(0, 100_000)
            from capacity in Gen.Choose(1, 5_000)
            select (tokens, cents, capacity);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            CostRecord[] calls = [.. c.Tokens.Select((t, i) => Call($"team-{i}", t, day: i % 3))];
            GpuPoolAllocation pool = GpuPoolAllocation.Create(calls, [Pool(capacity: c.Capacity, perHour: c.Cents / 100m)])[0];
            return pool.Consumers.Sum(x => x.Cost) + pool.Idle == pool.Cost && pool.Idle >= 0 && pool.Consumers.All(x => x.Cost >= 0);
        });
    }

    [Fact]
    public void Bad_pools_are_refused_with_every_field_named()
    {
        GpuPool[] pools = [Pool(capacity: -5), Pool(name: "other", perHour: -1m), new GpuPool { CostPerHour = 1, CapacityTokensPerSecond = 1 }];

        ArgumentException e = Assert.Throws<ArgumentException>(() => GpuPoolAllocation.Create([], pools));

        Assert.Contains("pools[0].capacityTokensPerSecond: -5 is not a positive number", e.Message, StringComparison.Ordinal);
        Assert.Contains("pools[1].costPerHour: -1 is negative.", e.Message, StringComparison.Ordinal);
        Assert.Contains("pools[1].models: 'llama-3-70b' is already served by pool 'h100'", e.Message, StringComparison.Ordinal);
        Assert.Contains("pools[2].name: a name is required.", e.Message, StringComparison.Ordinal);
        Assert.Contains("pools[2].models: list the models", e.Message, StringComparison.Ordinal);
    }
}
