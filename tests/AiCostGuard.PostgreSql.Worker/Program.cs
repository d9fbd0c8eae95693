// A process that writes ledger records to PostgreSQL, for the multi-process tests: many of these write at once.
// Usage: worker <connection string> <name> <count> [batch size] [unflushed]
// With [unflushed], it flushes after the <count> calls and prints "flushed <count>", records [unflushed] more, prints
// "queued <unflushed>" and waits for its standard input to close, to be killed with records still in its queue.
// Writes <count> calls, each with scope id "<name>-<i>" and a cost of (i + 1) x 0.000001 dollars, on many threads;
// disposes the ledger (which writes what is queued) and prints "done <dropped>", and the records per second from the
// first record to the last one written on standard error.
using System.Globalization;
using AiCostGuard;
using AiCostGuard.PostgreSql;

string connectionString = args[0];
string name = args[1];
int count = int.Parse(args[2], CultureInfo.InvariantCulture);
int batch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 500;

await using var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connectionString, MaximumBatchSize = batch });
var attribution = new CostAttribution { Team = name, Feature = "fleet" };
var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
var clock = System.Diagnostics.Stopwatch.StartNew();
Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
{
    ledger.Record(new CostRecord
    {
        Timestamp = start.AddSeconds(i),
        Attribution = attribution,
        ScopeId = string.Create(CultureInfo.InvariantCulture, $"{name}-{i}"),
        ModelId = "gpt-4o-mini",
        InputTokens = 100 + i,
        OutputTokens = 10,
        Cost = (i + 1) * 0.000001m,
        CostSource = CostSource.ProviderReported,
        Outcome = CallOutcome.Succeeded,
    });
});

if (args.Length > 4)
{
    int unflushed = int.Parse(args[4], CultureInfo.InvariantCulture);
    await ledger.FlushAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flushed {count}"));
    for (int i = count; i < count + unflushed; i++)
    {
        ledger.Record(new CostRecord { Timestamp = start.AddSeconds(i), Attribution = attribution, ScopeId = string.Create(CultureInfo.InvariantCulture, $"{name}-{i}"), Cost = 0.000001m });
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"queued {unflushed}"));
    await Console.In.ReadLineAsync();
    return;
}

await ledger.DisposeAsync();
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} records in {clock.Elapsed.TotalSeconds:0.00} s: {count / clock.Elapsed.TotalSeconds:0} records/s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {ledger.DroppedCount}"));
