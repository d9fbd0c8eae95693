// A process that writes ledger records to PostgreSQL, for the multi-process tests: many of these write at once.
// Usage: worker <connection string> <name> <count>
// Writes <count> calls, each with scope id "<name>-<i>" and a cost of (i + 1) x 0.000001 dollars, on many threads;
// disposes the ledger (which writes what is queued) and prints "done <dropped>".
using System.Globalization;
using AiCostGuard;
using AiCostGuard.PostgreSql;

string connectionString = args[0];
string name = args[1];
int count = int.Parse(args[2], CultureInfo.InvariantCulture);

await using var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connectionString, MaximumBatchSize = 500 });
var attribution = new CostAttribution { Team = name, Feature = "fleet" };
var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
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

await ledger.DisposeAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {ledger.DroppedCount}"));
