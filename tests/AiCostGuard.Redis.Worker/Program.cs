using System.Globalization;
using AiCostGuard;
using AiCostGuard.Redis;

// A process that shares one Redis budget with others, for the multi-process tests.
//   share <endpoint> <key> <limit-dollars> <concurrency> <use-leases> <lease-fraction>
//     spends until the budget refuses it many times in a row; prints "committed <dollars> calls <count>".
//   share-open <endpoint> <key> <limit-dollars> <concurrency> <use-leases> <lease-fraction> <fail-open-cap-dollars>
//     the same, fail-open with that local cap per window (for an endpoint where Redis is down).
//   hold <endpoint> <key> <limit-dollars> <use-leases>
//     reserves one call, prints "held", and waits for its standard input to close (or to be killed).
string mode = args[0];
bool sharing = mode is "share" or "share-open";
var window = new BudgetWindow(args[2], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero, 1);
var limits = new BudgetLimits { MaximumCost = decimal.Parse(args[3], CultureInfo.InvariantCulture) };
var options = new RedisBudgetStoreOptions
{
    Configuration = args[1],
    UseLeases = bool.Parse(sharing ? args[5] : args[4]),
    LeaseFraction = sharing ? double.Parse(args[6], CultureInfo.InvariantCulture) : 0.01,
    FailurePolicy = mode == "share-open" ? RedisFailurePolicy.FailOpen : RedisFailurePolicy.FailClosed,
    FailOpenLimits = { MaximumCost = mode == "share-open" ? decimal.Parse(args[7], CultureInfo.InvariantCulture) : null },
    LeaseDuration = TimeSpan.FromSeconds(30),
    ReservationTimeout = TimeSpan.FromSeconds(30),
};
await using var store = new RedisBudgetStore(options);

if (mode == "hold")
{
    BudgetReservation held = await store.TryReserveAsync(window, $"held-{Environment.ProcessId}", new BudgetUsage(0, 0, 0.05m), limits);
    Console.WriteLine(held.IsReserved ? "held" : "refused");
    await Console.In.ReadLineAsync();
    return;
}

int concurrency = int.Parse(args[4], CultureInfo.InvariantCulture);
decimal committed = 0m;
long calls = 0;
var sync = new Lock();
await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (worker, ct) =>
{
    var random = new Random((Environment.ProcessId * 397) ^ worker);
    int refusalsInARow = 0;
    while (refusalsInARow < 50)
    {
        // Worst cases of $0.01–$0.05 in whole micro-dollars; the actual is 10–100% of it.
        decimal worst = random.Next(10_000, 50_001) / 1_000_000m;
        string id = $"{Environment.ProcessId}-{worker}-{Guid.NewGuid():N}";
        if (!(await store.TryReserveAsync(window, id, new BudgetUsage(0, 0, worst), limits, ct)).IsReserved)
        {
            refusalsInARow++;
            continue;
        }

        refusalsInARow = 0;
        decimal actual = decimal.Round(worst * random.Next(1, 11) / 10m, 6);
        await store.CommitAsync(window, id, new BudgetUsage(0, 0, actual), ct);
        lock (sync)
        {
            committed += actual;
            calls++;
        }
    }
});

await store.FlushAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {committed} calls {calls}"));
