using System.Globalization;
using AiCostGuard.Redis.Tests.Infrastructure;
using AiCostGuard.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Redis.Tests;

public sealed class MultiProcessTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Processes = 3;
    private const decimal Limit = 5m;
    private const double LeaseFraction = 0.01;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static BudgetWindow Window(string key) =>
        new(key, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero, 1);

    private RedisBudgetStore Observer(TimeProvider? time = null) =>
        new(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, UseLeases = false }, time);

    [Fact]
    public async Task With_Redis_down_fail_open_processes_spend_at_most_their_local_cap_each_the_documented_overshoot_bound()
    {
        const decimal Cap = 0.20m;
        using var nothing = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        nothing.Start();
        string down = "127.0.0.1:" + ((System.Net.IPEndPoint)nothing.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture) + ",connectTimeout=500";
        nothing.Stop();
        var workers = Enumerable.Range(0, Processes)
            .Select(_ => Worker.Start("share-open", down, $"down-{Guid.NewGuid():N}", Limit.ToString(CultureInfo.InvariantCulture), "4", "false", "0.01", Cap.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var spent = new List<decimal>();
        try
        {
            foreach (Worker worker in workers)
            {
                spent.Add(decimal.Parse((await worker.ReadLineAsync(Timeout)).Split(' ')[1], CultureInfo.InvariantCulture));
                Assert.Equal(0, await worker.WaitForExitAsync(Timeout));
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        decimal bound = Processes * Cap;
        TestContext.Current.TestOutputHelper?.WriteLine($"Redis down, fail-open: {Processes} processes spent {string.Join(", ", spent)} (${spent.Sum()}); documented bound ${bound}.");

        // Each admitted what its cap allowed (within one call's worst case of $0.05), and never more.
        Assert.All(spent, s => Assert.InRange(s, 0m, Cap));
        Assert.True(spent.Sum() <= bound);
        Assert.All(spent, s => Assert.True(s > 0m, "a fail-open process admitted nothing"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Processes_sharing_one_budget_under_load_never_spend_beyond_it_and_lose_nothing(bool leases)
    {
        string key = $"shared-{leases}-{Guid.NewGuid():N}";
        var workers = Enumerable.Range(0, Processes)
            .Select(_ => Worker.Start("share", redis.Endpoint, key, Limit.ToString(CultureInfo.InvariantCulture), "4", leases.ToString(), LeaseFraction.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        decimal reported = 0m;
        long calls = 0;
        try
        {
            foreach (Worker worker in workers)
            {
                string[] line = (await worker.ReadLineAsync(Timeout)).Split(' ');
                Assert.Equal(0, await worker.WaitForExitAsync(Timeout));
                reported += decimal.Parse(line[1], CultureInfo.InvariantCulture);
                calls += long.Parse(line[3], CultureInfo.InvariantCulture);
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        await using RedisBudgetStore observer = Observer();
        BudgetWindowUsage usage = await observer.GetUsageAsync(Window(key));
        decimal overshoot = Math.Max(0m, usage.Committed.Cost - Limit);
        decimal bound = Processes * (decimal)LeaseFraction * Limit;
        TestContext.Current.TestOutputHelper?.WriteLine($"leases={leases}: {calls} calls in {Processes} processes committed ${usage.Committed.Cost} of ${Limit}; overshoot ${overshoot} (documented bound ${bound}).");

        Assert.Equal(reported, usage.Committed.Cost);
        Assert.Equal(default, usage.Reserved);
        Assert.True(overshoot <= (leases ? bound : 0m), $"Overshoot ${overshoot} is above the bound.");
        Assert.True(usage.Committed.Cost >= Limit / 2, $"Only ${usage.Committed.Cost} of ${Limit} was spent: the processes were refused while there was room.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_process_killed_while_holding_allowance_has_it_reclaimed_after_the_timeout(bool leases)
    {
        string key = $"killed-{leases}-{Guid.NewGuid():N}";
        using (Worker worker = Worker.Start("hold", redis.Endpoint, key, "10", leases.ToString()))
        {
            Assert.Equal("held", await worker.ReadLineAsync(Timeout));
            worker.Kill();
        }

        await using (RedisBudgetStore now = Observer())
        {
            BudgetWindowUsage held = await now.GetUsageAsync(Window(key));
            Assert.Equal(leases ? 0.1m : 0.05m, held.Reserved.Cost);
        }

        // The worker's lease and reservation last 30 s; a process whose clock reads 31 s later reclaims them.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(31));
        await using RedisBudgetStore reclaiming = Observer(later);
        BudgetWindowUsage after = await reclaiming.GetUsageAsync(Window(key));
        Assert.Equal(default, after);
        Assert.True((await reclaiming.TryReserveAsync(Window(key), "next", new BudgetUsage(0, 0, 10m), new BudgetLimits { MaximumCost = 10m })).IsReserved);
    }
}
