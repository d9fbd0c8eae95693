using System.Diagnostics;
using System.Globalization;
using AiCostGuard.PostgreSql;
using BenchmarkDotNet.Attributes;
using Npgsql;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The two durable ledger sinks side by side, fed directly (no chat client): records per second each sustains from one
/// process, and what a caller pays to hand one record over. PostgreSQL is a server started on loopback in GlobalSetup
/// (<see cref="PostgreSqlServerProcess"/>), with its default, durable settings; the JSON Lines sink writes to a
/// temporary directory on the same disk.
/// </summary>
/// <remarks>
/// Both sinks keep their default options (a queue of 10,000 that makes callers wait when full; PostgreSQL batches of up
/// to 5,000, two stored at once when the writer is behind). Beside it, the same PostgreSQL sink storing one batch at a
/// time (<see cref="PostgreSqlLedgerOptions.MaximumConcurrentBatches"/> = 1), in a schema of its own on the same server,
/// measures what storing batches at once gives in the same run; and the default sink on a ledger whose time index is the
/// B-tree schema versions 1 to 3 kept (replaced by a block-range index in version 4), in a third schema, measures what
/// that index cost. A throughput invocation hands over <see cref="ThroughputRecords"/> records and waits until the sink has
/// written every one (<c>FlushAsync</c>), so the queue's back-pressure makes it run at the sink's pace. A hand-off
/// invocation hands over <see cref="HandOffBurst"/> records, well under the queue's capacity, and the sink drains them
/// between iterations, outside the measurement.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class LedgerSinkBenchmarks
{
    /// <summary>Records per throughput invocation: five times the queue's capacity.</summary>
    public const int ThroughputRecords = 50_000;

    /// <summary>Records per hand-off invocation.</summary>
    public const int HandOffBurst = 2_000;

    private readonly CostRecord[] _records = Records(1024);
    private PostgreSqlServerProcess _server = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgreSqlCostLedger _database = null!;
    private PostgreSqlCostLedger _oneAtATime = null!;
    private PostgreSqlCostLedger _bTree = null!;
    private JsonLinesCostLedger _files = null!;
    private string _directory = null!;
    private long _toDatabase;
    private long _toOneAtATime;
    private long _toBTree;
    private long _toFiles;

    [GlobalSetup]
    public void Setup()
    {
        _server = new PostgreSqlServerProcess();
        _dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
        _database = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions(), _dataSource);
        _oneAtATime = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { Schema = "one_at_a_time", MaximumConcurrentBatches = 1 }, _dataSource);
        PostgreSqlLedgerSchema.MigrateAsync(_dataSource, "b_tree").GetAwaiter().GetResult();
        using (NpgsqlCommand bTree = _dataSource.CreateCommand("DROP INDEX b_tree.calls_occurred_at; CREATE INDEX calls_occurred_at ON b_tree.calls (occurred_at)"))
        {
            bTree.ExecuteNonQuery();
        }

        _bTree = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { Schema = "b_tree" }, _dataSource);
        _directory = Directory.CreateTempSubdirectory("aicostguard-bench-ledger-").FullName;
        _files = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = _directory });
        foreach (CostRecord record in _records)
        {
            _database.Record(record);
            _oneAtATime.Record(record);
            _bTree.Record(record);
            _files.Record(record);
        }

        _toDatabase = _toOneAtATime = _toBTree = _toFiles = _records.Length;
        _database.FlushAsync().GetAwaiter().GetResult();
        _oneAtATime.FlushAsync().GetAwaiter().GetResult();
        _bTree.FlushAsync().GetAwaiter().GetResult();
        _files.FlushAsync().GetAwaiter().GetResult();
    }

    [IterationCleanup(Targets = [nameof(PostgreSqlHandOff), nameof(JsonLinesHandOff)])]
    public void Drain()
    {
        _database.FlushAsync().GetAwaiter().GetResult();
        _oneAtATime.FlushAsync().GetAwaiter().GetResult();
        _files.FlushAsync().GetAwaiter().GetResult();
    }

    /// <summary>Records per second into PostgreSQL: the time per record of a run of <see cref="ThroughputRecords"/>, to the last one stored.</summary>
    [Benchmark(OperationsPerInvoke = ThroughputRecords, Description = "PostgreSQL, throughput")]
    public async Task PostgreSqlThroughput()
    {
        _toDatabase += Fill(_database, ThroughputRecords);
        await _database.FlushAsync();
    }

    /// <summary>Records per second into PostgreSQL one batch at a time, measured the same way.</summary>
    [Benchmark(OperationsPerInvoke = ThroughputRecords, Description = "PostgreSQL, throughput, one batch at a time")]
    public async Task PostgreSqlOneBatchAtATimeThroughput()
    {
        _toOneAtATime += Fill(_oneAtATime, ThroughputRecords);
        await _oneAtATime.FlushAsync();
    }

    /// <summary>Records per second into PostgreSQL with a B-tree time index (schema versions 1 to 3), measured the same way.</summary>
    [Benchmark(OperationsPerInvoke = ThroughputRecords, Description = "PostgreSQL, throughput, B-tree time index")]
    public async Task PostgreSqlBTreeTimeIndexThroughput()
    {
        _toBTree += Fill(_bTree, ThroughputRecords);
        await _bTree.FlushAsync();
    }

    /// <summary>Records per second into JSON Lines files, measured the same way.</summary>
    [Benchmark(OperationsPerInvoke = ThroughputRecords, Description = "JSON Lines, throughput")]
    public async Task JsonLinesThroughput()
    {
        _toFiles += Fill(_files, ThroughputRecords);
        await _files.FlushAsync();
    }

    /// <summary>What <c>Record</c> costs the caller of the PostgreSQL sink, its writer draining on the other core.</summary>
    [Benchmark(OperationsPerInvoke = HandOffBurst, Description = "PostgreSQL, hand-off")]
    public void PostgreSqlHandOff() => _toDatabase += Fill(_database, HandOffBurst);

    /// <summary>What <c>Record</c> costs the caller of the JSON Lines sink.</summary>
    [Benchmark(OperationsPerInvoke = HandOffBurst, Description = "JSON Lines, hand-off")]
    public void JsonLinesHandOff() => _toFiles += Fill(_files, HandOffBurst);

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        _oneAtATime.Dispose();
        _bTree.Dispose();
        _files.Dispose();
        long stored, storedOneAtATime, storedBTree;
        using (NpgsqlCommand count = _dataSource.CreateCommand("SELECT count(*) FROM aicostguard.calls"))
        {
            stored = (long)count.ExecuteScalar()!;
        }

        using (NpgsqlCommand count = _dataSource.CreateCommand("SELECT count(*) FROM one_at_a_time.calls"))
        {
            storedOneAtATime = (long)count.ExecuteScalar()!;
        }

        using (NpgsqlCommand count = _dataSource.CreateCommand("SELECT count(*) FROM b_tree.calls"))
        {
            storedBTree = (long)count.ExecuteScalar()!;
        }

        LedgerContents written = CostLedgerReader.Read(_directory);
        Console.WriteLine($"// AiCostGuard check: PostgreSQL: {_toDatabase} records handed over, {stored} stored, {_database.DroppedCount} dropped; one batch at a time: {_toOneAtATime} handed over, {storedOneAtATime} stored, {_oneAtATime.DroppedCount} dropped; B-tree time index: {_toBTree} handed over, {storedBTree} stored, {_bTree.DroppedCount} dropped; JSON Lines: {_toFiles} handed over, {written.Calls.Count} in the files, {_files.DroppedRecords} dropped, {written.SkippedLines.Count} lines skipped.");
        _dataSource.Dispose();
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Calls of a governed service: three teams, two models, provider-reported usage, a trace and a span each.</summary>
    private static CostRecord[] Records(int count)
    {
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        string[] teams = ["search", "support", "finance"];
        string[] models = ["gpt-4o-mini-2024-07-18", "claude-sonnet-4-5-20250929"];
        var attributions = teams.Select(t => new CostAttribution { Tenant = "acme", Team = t, Feature = "chat", Environment = "prod" }).ToArray();
        var records = new CostRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new CostRecord
            {
                Timestamp = start.AddMilliseconds(i * 37),
                Duration = TimeSpan.FromMilliseconds(400 + i),
                Attribution = attributions[i % 3],
                ScopeName = "conversation",
                ScopeId = string.Create(CultureInfo.InvariantCulture, $"conv-{i / 4}"),
                ModelId = models[i % 2],
                Provider = i % 2 == 0 ? "openai" : "anthropic",
                InputTokens = 1200 + i,
                CachedInputTokens = 200,
                OutputTokens = 300 + (i % 50),
                EstimatedInputTokens = 1190 + i,
                EstimatePrecision = EstimatePrecision.Exact,
                Cost = 0.000123m * (i + 1),
                CostSource = CostSource.ProviderReported,
                MaximumOutputTokens = 16_384,
                Outcome = CallOutcome.Succeeded,
                ServiceTier = "standard",
                TraceId = ActivityTraceId.CreateRandom(),
                SpanId = ActivitySpanId.CreateRandom(),
            };
        }

        return records;
    }

    private int Fill(ICostLedger ledger, int count)
    {
        CostRecord[] records = _records;
        for (int i = 0; i < count; i++)
        {
            ledger.Record(in records[i & (records.Length - 1)]);
        }

        return count;
    }
}
