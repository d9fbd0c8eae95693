using AiCostGuard.PostgreSql.Tests.Infrastructure;
using AiCostGuard.Tests.Shared;

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
        Assert.Equal(1L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.schema_version"));
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
}
