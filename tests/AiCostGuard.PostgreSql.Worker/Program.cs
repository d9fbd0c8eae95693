// A process that writes ledger records to PostgreSQL, for the multi-process tests: many of these write at once.
// Usage: worker <connection string> <name> <count> [batch size] [unflushed]
// With [unflushed], it flushes after the <count> calls and prints "flushed <count>", records [unflushed] more, prints
// "queued <unflushed>" and waits for its standard input to close, to be killed with records still in its queue.
// Writes <count> calls, each with scope id "<name>-<i>" and a cost of (i + 1) x 0.000001 dollars, on many threads;
// disposes the ledger (which writes what is queued) and prints "done <dropped>", and the records per second from the
// first record to the last one written on standard error.
// Usage: worker journal <connection string> <journal directory> <flushed> <queued>
// Hands <flushed> calls to a ledger with that hand-off journal, flushes and prints "flushed <flushed>", waits for a line
// on standard input (the test locks the ledger's table meanwhile), hands <queued> more and prints "queued <queued>",
// then waits for standard input to close, to be killed with them unwritten. Scope ids are "journal-<i>".
// Usage: worker stream <connection string> <journal directory>
// Hands one call over and flushes it, then hands calls over without end on 2 threads, printing "handed <n>" after
// every 5,000, until it is killed.
using System.Globalization;
using AiCostGuard;
using AiCostGuard.PostgreSql;

if (args[0] is "journal" or "stream")
{
    await using var journaled = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = args[1], HandOffJournalDirectory = args[2], QueueCapacity = 100_000, MaximumBatchSize = 1_000 });
    var call = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    CostRecord Call(long i) => new() { Timestamp = call.AddSeconds(i), ScopeId = string.Create(CultureInfo.InvariantCulture, $"journal-{i}"), Cost = 0.000001m, Outcome = CallOutcome.Succeeded };
    if (args[0] == "journal")
    {
        int flushed = int.Parse(args[3], CultureInfo.InvariantCulture), queued = int.Parse(args[4], CultureInfo.InvariantCulture);
        for (int i = 0; i < flushed; i++)
        {
            journaled.Record(Call(i));
        }

        await journaled.FlushAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flushed {flushed}"));
        await Console.In.ReadLineAsync();
        for (int i = flushed; i < flushed + queued; i++)
        {
            journaled.Record(Call(i));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"queued {queued}"));
        await Console.In.ReadLineAsync();
        return;
    }

    // A first batch stored, so the schema is there and the kill falls among batches.
    journaled.Record(Call(0));
    await journaled.FlushAsync();
    long handed = 1;
    Parallel.For(0, 2, _ =>
    {
        while (true)
        {
            long n = Interlocked.Increment(ref handed);
            journaled.Record(Call(n));
            if (n % 5_000 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handed {n}"));
            }
        }
    });
    return;
}

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
