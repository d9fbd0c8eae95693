using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

public sealed class PostgreSqlLedgerWritersTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task A_disposed_writer_stores_its_final_count_and_misses_nothing()
    {
        string connection = await server.CreateDatabaseAsync();
        string name;
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumBatchSize = 100 }))
        {
            name = ledger.WriterName;
            for (int i = 0; i < 1_000; i++)
            {
                ledger.Record(Records.Call(i));
            }

            ledger.Record(Records.Outcome(1));
            Assert.Equal(1_001, ledger.HandedOffCount);
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        PostgreSqlLedgerWriter writer = Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));

        Assert.Equal((name, LedgerWriterState.Closed, 1_001L, 1_001L, 0L), (writer.Writer, writer.State, writer.HandedOff, writer.Stored, writer.Missing));
        Assert.Empty(writer.MissingRanges);
        Assert.Equal(Environment.ProcessId, writer.ProcessId);
        Assert.NotNull(writer.EndedAt);
    }

    [Fact]
    public async Task Records_dropped_by_a_full_queue_are_the_missing_ones_and_named_by_number()
    {
        string connection = await server.CreateDatabaseAsync();
        long dropped;
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, QueueCapacity = 1, WaitWhenQueueFull = false }))
        {
            for (int i = 0; i < 20_000; i++)
            {
                ledger.Record(Records.Call(i));
            }

            await ledger.DisposeAsync();
            dropped = ledger.DroppedCount;
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        PostgreSqlLedgerWriter writer = Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));
        long stored = await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls");

        Assert.True(dropped > 0, "a queue of one took every record");
        Assert.Equal((20_000L, stored, dropped), (writer.HandedOff, writer.Stored, writer.Missing));
        Assert.Equal(dropped, writer.MissingRanges.Sum(r => r.Count));
        Assert.All(writer.MissingRanges, r => Assert.InRange(r.First, 1, r.Last));
        Assert.True(writer.MissingRanges.Zip(writer.MissingRanges.Skip(1)).All(p => p.First.Last + 1 < p.Second.First), "ranges are apart and in order");
    }

    [Fact]
    public async Task A_version_1_ledger_is_migrated_on_the_next_write_and_its_old_rows_still_read()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        CostRecord first = Records.AsWrittenBy(1, Records.Call(1)), second = Records.Call(2);
        await OldLedger.CreateAsync(dataSource, version: 1, [first], []);

        await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlLedgerWriters.ReadAsync(dataSource));
        await using (var current = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            current.Record(second);
        }

        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource);
        Assert.Equal([first, second], read.Calls);
        Assert.Equal(PostgreSqlLedgerSchema.CurrentVersion, await Database.ScalarAsync<int>(connection, "SELECT max(version) FROM aicostguard.schema_version"));
        Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));
    }
}
