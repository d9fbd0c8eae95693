using AiCostGuard.PostgreSql.Tests.Infrastructure;
using System.Globalization;
using System.Text.Json;
using AiCostGuard.Tests.Shared;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

public sealed class MultiProcessTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static readonly TimeSpan WorkerTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Four_processes_writing_2000_calls_each_into_an_empty_database_lose_and_duplicate_nothing()
    {
        string connection = await server.CreateDatabaseAsync();
        const int Processes = 4, Calls = 2_000;
        var workers = Enumerable.Range(0, Processes).Select(p => Worker.Start(connection, "w" + p, Calls.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        try
        {
            string[] lines = await Task.WhenAll(workers.Select(w => w.ReadLineAsync(WorkerTimeout)));
            Assert.All(lines, line => Assert.Equal("done 0", line));
        }
        finally
        {
            foreach (Worker worker in workers)
            {
                worker.Dispose();
            }
        }

        Assert.Equal((long)Processes * Calls, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
        Assert.Equal((long)Processes * Calls, await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls"));

        // Each process writes costs 1..2000 micro-dollars: 2,001,000 micro-dollars each.
        Assert.Equal(Processes * 2.001m, await Database.ScalarAsync<decimal>(connection, "SELECT sum(cost) FROM aicostguard.calls"));
        Assert.Equal((long)PostgreSqlLedgerSchema.CurrentVersion, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.schema_version"));

        // Every writer closed with its final count, and stored all it was handed.
        var writers = await WritersAsync(connection);
        Assert.Equal(Processes, writers.Count);
        Assert.All(writers, w => Assert.Equal((LedgerWriterState.Closed, (long)Calls, (long)Calls, 0L), (w.State, w.HandedOff, w.Stored, w.Missing)));
    }

    [Fact]
    public async Task A_killed_writer_loses_at_most_the_records_it_had_not_flushed_and_duplicates_nothing()
    {
        string connection = await server.CreateDatabaseAsync();
        const int Flushed = 3_000, Unflushed = 20_000;
        using Worker worker = Worker.Start(connection, "killed", Flushed.ToString(System.Globalization.CultureInfo.InvariantCulture), "500", Unflushed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"flushed {Flushed}", await worker.ReadLineAsync(WorkerTimeout));
        Assert.Equal($"queued {Unflushed}", await worker.ReadLineAsync(WorkerTimeout));
        worker.Kill();

        long stored = await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls");
        long distinct = await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls");
        long flushedStored = await Database.ScalarAsync<long>(connection, $"SELECT count(*) FROM aicostguard.calls WHERE split_part(scope_id, '-', 2)::int < {Flushed}");
        TestContext.Current.TestOutputHelper?.WriteLine($"killed with {Unflushed} records queued: {stored - Flushed} of them stored, {Flushed + Unflushed - stored} lost");

        // Everything flushed before the kill is there; of the rest, what a committed batch held, each record once.
        Assert.Equal(stored, distinct);
        Assert.Equal(Flushed, flushedStored);
        Assert.InRange(stored, Flushed, Flushed + Unflushed);
    }

    [Fact]
    public async Task A_killed_writers_loss_is_counted_from_its_journal_exactly_and_the_cli_names_the_lost_numbers()
    {
        string connection = await server.CreateDatabaseAsync();
        string journal = Directory.CreateTempSubdirectory("aicostguard-journal-").FullName;
        const int Flushed = 3_000, Queued = 7_000;
        try
        {
            using Worker worker = Worker.Start("journal", connection, journal, Flushed.ToString(CultureInfo.InvariantCulture), Queued.ToString(CultureInfo.InvariantCulture));
            Assert.Equal($"flushed {Flushed}", await worker.ReadLineAsync(WorkerTimeout));

            // Hold the writer's next batch at the table's lock, so what it is handed next is still queued when it dies.
            await using (var dataSource = NpgsqlDataSource.Create(connection))
            await using (NpgsqlConnection blocker = await dataSource.OpenConnectionAsync())
            await using (NpgsqlTransaction transaction = await blocker.BeginTransactionAsync())
            {
                await using (NpgsqlCommand lockTable = new("LOCK TABLE aicostguard.calls IN ACCESS EXCLUSIVE MODE", blocker, transaction))
                {
                    await lockTable.ExecuteNonQueryAsync();
                }

                await worker.WriteLineAsync("go");
                Assert.Equal($"queued {Queued}", await worker.ReadLineAsync(WorkerTimeout));
                worker.Kill();
                await transaction.RollbackAsync();
            }

            long stored = await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls");
            Assert.Equal(stored, await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls"));
            Assert.Equal(Flushed, stored);

            // Before its journal is stored the dead writer has no final count: its last batches' records are not yet counted.
            PostgreSqlLedgerWriter before = Assert.Single(await WritersAsync(connection));
            Assert.Equal(LedgerWriterState.Running, before.State);

            var result = await Cli.RunAsync("writers", "--connection", connection, "--journal", journal, "--json");
            Assert.Equal(3, result.Code);
            using JsonDocument json = JsonDocument.Parse(result.Output);
            JsonElement writer = Assert.Single(json.RootElement.GetProperty("writers").EnumerateArray().ToArray());
            Assert.Equal(1, json.RootElement.GetProperty("recovered").GetInt32());
            Assert.Equal("killed", writer.GetProperty("state").GetString());
            Assert.Equal(Flushed + Queued, writer.GetProperty("handedOff").GetInt64());
            Assert.Equal(stored, writer.GetProperty("stored").GetInt64());

            // Lost = handed off − landed, exactly, and the lost records are the ones queued at the kill.
            Assert.Equal(Flushed + Queued - stored, json.RootElement.GetProperty("lost").GetInt64());
            JsonElement range = Assert.Single(writer.GetProperty("missingRanges").EnumerateArray().ToArray());
            Assert.Equal((Flushed + 1L, (long)Flushed + Queued), (range.GetProperty("first").GetInt64(), range.GetProperty("last").GetInt64()));
            Assert.Empty(Directory.GetFiles(journal));

            // Stored once: running it again changes nothing.
            var again = await Cli.RunAsync("writers", "--connection", connection, "--journal", journal);
            Assert.Equal(3, again.Code);
            Assert.EndsWith("1 writers (0 recovered from journals), 10000 records handed over, 3000 stored, 7000 lost, 0 not yet stored by running writers", again.Output.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    [Fact]
    public async Task A_writer_killed_mid_stream_has_its_loss_counted_as_handed_off_minus_stored()
    {
        string connection = await server.CreateDatabaseAsync();
        string journal = Directory.CreateTempSubdirectory("aicostguard-journal-").FullName;
        try
        {
            long printed;
            using (Worker worker = Worker.Start("stream", connection, journal))
            {
                string line;
                do
                {
                    line = await worker.ReadLineAsync(WorkerTimeout);
                    printed = long.Parse(line["handed ".Length..], CultureInfo.InvariantCulture);
                }
                while (printed < 40_000);

                worker.Kill();
            }

            await using var dataSource = NpgsqlDataSource.Create(connection);
            Assert.Equal(1, await PostgreSqlLedgerWriters.StoreDeadAsync(dataSource, "aicostguard", journal));
            PostgreSqlLedgerWriter writer = Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));
            long stored = await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls");
            long distinct = await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls");
            TestContext.Current.TestOutputHelper?.WriteLine($"killed after {writer.HandedOff} records handed over: {stored} stored, {writer.Missing} lost in {writer.MissingRanges.Count} ranges");

            Assert.Equal(stored, distinct);
            Assert.Equal(LedgerWriterState.Killed, writer.State);
            Assert.True(writer.HandedOff >= printed - 1, $"{writer.HandedOff} handed off, {printed} printed");
            Assert.Equal(stored, writer.Stored);
            Assert.Equal(writer.HandedOff - stored, writer.Missing);
            Assert.Equal(writer.Missing, writer.MissingRanges.Sum(r => r.Count));
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<PostgreSqlLedgerWriter>> WritersAsync(string connection)
    {
        await using var dataSource = NpgsqlDataSource.Create(connection);
        return await PostgreSqlLedgerWriters.ReadAsync(dataSource);
    }
}
