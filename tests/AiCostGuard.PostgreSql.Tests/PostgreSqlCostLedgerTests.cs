using System.Globalization;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

public sealed class PostgreSqlCostLedgerTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task The_reader_returns_every_field_as_written_with_decimals_exact()
    {
        string connection = await server.CreateDatabaseAsync();
        CostRecord[] calls = [.. Enumerable.Range(0, 300).Select(i => Records.Call(i))];
        OutcomeRecord[] outcomes = [.. Enumerable.Range(0, 20).Select(Records.Outcome)];
        EnvelopeStep[] steps = [.. Enumerable.Range(0, 30).Select(Records.Step)];
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumBatchSize = 64 }))
        {
            for (int i = 0; i < calls.Length; i++)
            {
                ledger.Record(calls[i]);
                if (i % 10 == 0)
                {
                    ledger.Record(steps[i / 10]);
                }
            }

            foreach (OutcomeRecord outcome in outcomes)
            {
                ledger.Record(outcome);
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource);

        // Batches of 64 with a backlog are stored several at once, so storage order may interleave them: compared by
        // each record's unique scope id (and an envelope step's time).
        CostRecord[] readCalls = [.. read.Calls.OrderBy(c => c.ScopeId, StringComparer.Ordinal)];
        OutcomeRecord[] readOutcomes = [.. read.Outcomes.OrderBy(o => o.ScopeId, StringComparer.Ordinal)];
        EnvelopeStep[] readSteps = [.. read.EnvelopeSteps.OrderBy(s => s.Time)];
        calls = [.. calls.OrderBy(c => c.ScopeId, StringComparer.Ordinal)];
        outcomes = [.. outcomes.OrderBy(o => o.ScopeId, StringComparer.Ordinal)];
        Assert.Empty(read.SkippedLines);
        Assert.Equal(calls, readCalls);
        Assert.Equal(outcomes, readOutcomes);
        Assert.Equal(steps, readSteps);
        Assert.Contains(readCalls, c => c.CostParts is null);
        Assert.Equal(calls.Select(c => Parts(c.CostParts)), readCalls.Select(c => Parts(c.CostParts)));
        Assert.Equal(steps.Select(s => $"{s.Ceiling} {s.Spent} {s.CostPerSuccess}"), readSteps.Select(s => $"{s.Ceiling} {s.Spent} {s.CostPerSuccess}"));

        // decimal equality ignores trailing zeros: the scale must come back too (1.10 stays 1.10).
        Assert.Equal(calls.Select(c => c.Cost.ToString(CultureInfo.InvariantCulture)), readCalls.Select(c => c.Cost.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(outcomes.Select(o => o.Value?.ToString(CultureInfo.InvariantCulture)), readOutcomes.Select(o => o.Value?.ToString(CultureInfo.InvariantCulture)));
    }

    private static string? Parts(CostParts? p) => p is { } v
        ? string.Join(' ', new[] { v.UncachedInput, v.CachedInput, v.CacheWrite, v.Output, v.Reasoning, v.AudioAndImage, v.RequestFee }.Select(d => d.ToString(CultureInfo.InvariantCulture)))
        : null;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task An_older_ledger_reads_as_it_is_and_is_migrated_to_the_current_version_once_by_many_at_once_keeping_its_rows(int version)
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        CostRecord[] old = [.. Enumerable.Range(0, 50).Select(i => Records.AsWrittenBy(version, Records.Call(i)))];
        OutcomeRecord[] oldOutcomes = [Records.Outcome(1)];
        await OldLedger.CreateAsync(dataSource, version, old, oldOutcomes);

        LedgerContents before = await PostgreSqlLedgerReader.ReadAsync(dataSource);
        PostgreSqlLedgerWriter oldWriter = Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));
        Assert.Equal(version, await Database.ScalarAsync<int>(connection, "SELECT max(version) FROM aicostguard.schema_version"));
        Assert.Empty(before.SkippedLines);
        Assert.Equal(old, before.Calls);
        Assert.Equal(old.Select(c => Parts(c.CostParts)), before.Calls.Select(c => Parts(c.CostParts)));
        Assert.Equal(oldOutcomes, before.Outcomes);
        Assert.Empty(before.EnvelopeSteps);
        Assert.Equal((51L, 51L, 0L), (oldWriter.HandedOff, oldWriter.Stored, oldWriter.Missing));

        // Several processes upgrading at once: one migrates, the others find it done.
        int[] migrated = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgreSqlLedgerSchema.MigrateAsync(dataSource)));
        Assert.Equal(1, migrated.Count(v => v == version));
        Assert.All(migrated.Where(v => v != version), v => Assert.Equal(PostgreSqlLedgerSchema.CurrentVersion, v));
        Assert.Equal(old, (await PostgreSqlLedgerReader.ReadAsync(dataSource)).Calls);

        CostRecord[] added = [.. Enumerable.Range(50, 30).Select(i => Records.Call(i))];
        await using (var current = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            foreach (CostRecord call in added)
            {
                current.Record(call);
            }

            current.Record(Records.Step(3));
        }

        LedgerContents after = await PostgreSqlLedgerReader.ReadAsync(dataSource);
        Assert.Equal(PostgreSqlLedgerSchema.CurrentVersion, await Database.ScalarAsync<int>(connection, "SELECT max(version) FROM aicostguard.schema_version"));
        Assert.Equal([.. old, .. added], after.Calls);
        Assert.Equal(added.Select(c => Parts(c.CostParts)), after.Calls.Skip(old.Length).Select(c => Parts(c.CostParts)));
        Assert.Equal(added.Select(c => c.AvoidedCost?.ToString(CultureInfo.InvariantCulture)), after.Calls.Skip(old.Length).Select(c => c.AvoidedCost?.ToString(CultureInfo.InvariantCulture)));
        Assert.Contains(added, c => c.CostParts is not null);
        Assert.Contains(added, c => c.PolicyName is not null);
        Assert.Contains(added, c => c.BudgetTier is not null);
        Assert.Contains(added, c => c.Kind == CallKind.Embedding);
        Assert.Contains(added, c => c.AvoidedCost is not null);
        Assert.Equal([Records.Step(3)], after.EnvelopeSteps);
        Assert.All(await PostgreSqlLedgerWriters.ReadAsync(dataSource), w => Assert.Equal(0L, w.Missing));
        Assert.Contains("USING brin (occurred_at)", await TimeIndexAsync(connection), StringComparison.Ordinal);
    }

    private static Task<string> TimeIndexAsync(string connection) =>
        Database.ScalarAsync<string>(connection, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'aicostguard' AND indexname = 'calls_occurred_at'");

    [Fact]
    public async Task The_reader_filters_by_time_range_from_inclusive_to_exclusive()
    {
        string connection = await server.CreateDatabaseAsync();
        var day = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            for (int i = 0; i < 10; i++)
            {
                ledger.Record(Records.Call(i, day.AddHours(i)));
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource, from: day.AddHours(2), to: day.AddHours(5));

        Assert.Equal([day.AddHours(2), day.AddHours(3), day.AddHours(4)], read.Calls.Select(c => c.Timestamp));
    }

    [Fact]
    public async Task A_batch_written_again_or_by_two_writers_at_once_is_stored_once()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await PostgreSqlLedgerSchema.MigrateAsync(dataSource);
        var writer = new PostgreSqlLedgerWriters.WriterRow("0123456789abcdef", "test", 1, DateTimeOffset.UnixEpoch, 550);
        Task<(int Calls, int Outcomes, int EnvelopeSteps)> WriteAsync(List<LedgerRow> rows) => new PostgreSqlBatchWriter(dataSource, "aicostguard").WriteAsync(rows, rows.Count, writer, CancellationToken.None);
        List<LedgerRow> batch =
        [
            .. Enumerable.Range(0, 500).Select(i => new LedgerRow(Guid.NewGuid(), Records.Call(i), default, IsOutcome: false)),
            .. Enumerable.Range(0, 50).Select(i => new LedgerRow(Guid.NewGuid(), default, Records.Outcome(i), IsOutcome: true)),
            .. Enumerable.Range(0, 20).Select(i => new LedgerRow(Guid.NewGuid(), default, default, IsOutcome: false, Records.Step(i))),
        ];

        (int Calls, int Outcomes, int EnvelopeSteps) first = await WriteAsync(batch);
        (int Calls, int Outcomes, int EnvelopeSteps) retried = await WriteAsync(batch);
        (int Calls, int Outcomes, int EnvelopeSteps)[] racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WriteAsync(batch)));

        List<LedgerRow> overlapping = [.. batch[250..500], .. Enumerable.Range(500, 100).Select(i => new LedgerRow(Guid.NewGuid(), Records.Call(i), default, IsOutcome: false))];
        (int Calls, int Outcomes, int EnvelopeSteps) partly = await WriteAsync(overlapping);

        Assert.Equal((500, 50, 20), first);
        Assert.Equal((100, 0, 0), partly);
        Assert.Equal((0, 0, 0), retried);
        Assert.All(racing, r => Assert.Equal((0, 0, 0), r));
        Assert.Equal(600L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
        Assert.Equal(50L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.outcomes"));
        Assert.Equal(20L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.envelope_steps"));
    }

    [Fact]
    public async Task The_schema_is_created_in_an_empty_database_once_also_by_many_at_once_and_a_rerun_changes_nothing()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);

        int[] before = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostgreSqlLedgerSchema.MigrateAsync(dataSource)));
        int again = await PostgreSqlLedgerSchema.MigrateAsync(dataSource);

        Assert.Equal(1, before.Count(v => v == 0));
        Assert.All(before.Where(v => v != 0), v => Assert.Equal(PostgreSqlLedgerSchema.CurrentVersion, v));
        Assert.Equal(PostgreSqlLedgerSchema.CurrentVersion, again);
        Assert.Equal((long)PostgreSqlLedgerSchema.CurrentVersion, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.schema_version"));
        Assert.Equal(4L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'aicostguard' AND table_name IN ('calls', 'outcomes', 'envelope_steps', 'writers')"));
        Assert.Contains("USING brin (occurred_at) WITH (autosummarize='on')", await TimeIndexAsync(connection), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_of_a_newer_schema_version_is_refused_with_a_clear_error()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await PostgreSqlLedgerSchema.MigrateAsync(dataSource);
        await Database.ScalarAsync<int>(connection, "INSERT INTO aicostguard.schema_version (version) VALUES (99) RETURNING version");

        var migrate = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlLedgerSchema.MigrateAsync(dataSource));
        var read = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlLedgerReader.ReadAsync(dataSource));

        Assert.Contains("version 99", migrate.Message, StringComparison.Ordinal);
        Assert.Contains("version 99", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_a_database_without_a_ledger_says_so()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlLedgerReader.ReadAsync(dataSource, schema: "finops"));

        Assert.Contains("no AiCostGuard ledger in schema 'finops'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_ledgers_writing_at_once_lose_and_duplicate_nothing()
    {
        string connection = await server.CreateDatabaseAsync();
        const int Ledgers = 4, PerLedger = 2_000;
        var ledgers = Enumerable.Range(0, Ledgers).Select(_ => new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumBatchSize = 300 })).ToArray();

        await Task.WhenAll(ledgers.Select((ledger, l) => Task.Run(() =>
        {
            for (int i = 0; i < PerLedger; i++)
            {
                ledger.Record(new CostRecord { ScopeId = string.Create(CultureInfo.InvariantCulture, $"{l}-{i}"), Cost = 0.000001m, Timestamp = DateTimeOffset.UnixEpoch });
            }
        })));
        foreach (PostgreSqlCostLedger ledger in ledgers)
        {
            await ledger.DisposeAsync();
        }

        Assert.All(ledgers, l => Assert.Equal(0, l.DroppedCount));
        Assert.Equal((long)Ledgers * PerLedger, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
        Assert.Equal((long)Ledgers * PerLedger, await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls"));
        Assert.Equal(0.008m, await Database.ScalarAsync<decimal>(connection, "SELECT sum(cost) FROM aicostguard.calls"));
    }

    [Fact]
    public async Task Batches_stored_at_once_store_every_record_once_and_one_that_failed_alone_is_retried_alone()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await PostgreSqlLedgerSchema.MigrateAsync(dataSource);

        // The batch that holds the poisoned record fails once (a sequence is not rolled back); those stored with it commit.
        await using (NpgsqlCommand poison = dataSource.CreateCommand("""
            CREATE SEQUENCE tries;
            CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.scope_id = 'poison' AND nextval('tries') = 1 THEN RAISE EXCEPTION 'poisoned batch'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail_once BEFORE INSERT ON aicostguard.calls FOR EACH ROW EXECUTE FUNCTION fail_once();
            """))
        {
            await poison.ExecuteNonQueryAsync();
        }

        const int Count = 1_000;
        var options = new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumBatchSize = 100, MaximumConcurrentBatches = 3, RetryDelay = TimeSpan.FromMilliseconds(10) };
        await using var ledger = new PostgreSqlCostLedger(options);
        await using (NpgsqlConnection blocker = await dataSource.OpenConnectionAsync())
        await using (NpgsqlTransaction transaction = await blocker.BeginTransactionAsync())
        {
            // Held while every record is handed over, so that they wait in the queue and are written three batches at a time.
            await using (NpgsqlCommand lockTable = new("LOCK TABLE aicostguard.calls IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            for (int i = 0; i < Count; i++)
            {
                // Past the first write (at most 300 records), so the poisoned batch is one of several stored at once.
                ledger.Record(new CostRecord { ScopeId = i == 700 ? "poison" : string.Create(CultureInfo.InvariantCulture, $"call-{i}"), Cost = 0.001m, Timestamp = DateTimeOffset.UnixEpoch });
            }

            await transaction.CommitAsync();
        }

        for (int attempt = 0; attempt < 5 && (attempt == 0 || ledger.IsFailing); attempt++)
        {
            await ledger.FlushAsync();
        }

        Assert.False(ledger.IsFailing);
        Assert.Equal(0, ledger.DroppedCount);
        Assert.True(await Database.ScalarAsync<long>(connection, "SELECT last_value FROM tries") >= 2, "the poisoned batch failed once");
        Assert.Equal((long)Count, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
        Assert.Equal((long)Count, await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls"));
        PostgreSqlLedgerWriter writer = Assert.Single(await PostgreSqlLedgerWriters.ReadAsync(dataSource));
        Assert.Equal(((long)Count, (long)Count, 0L), (writer.HandedOff, writer.Stored, writer.Missing));
    }

    [Fact]
    public async Task A_writer_storing_more_batches_at_once_than_its_queue_holds_drops_nothing_while_the_database_keeps_up()
    {
        string connection = await server.CreateDatabaseAsync();
        const int Count = 5_000;

        // Three batches of 40 are more than the queue's 50: the writer must not take more than that off the queue, or what
        // passes the capacity is dropped as if the database were failing.
        var options = new PostgreSqlLedgerOptions { ConnectionString = connection, QueueCapacity = 50, MaximumBatchSize = 40, MaximumConcurrentBatches = 3 };
        await using (var ledger = new PostgreSqlCostLedger(options))
        {
            for (int i = 0; i < Count; i++)
            {
                ledger.Record(new CostRecord { ScopeId = string.Create(CultureInfo.InvariantCulture, $"call-{i}"), Cost = 0.001m, Timestamp = DateTimeOffset.UnixEpoch });
            }

            await ledger.FlushAsync();
            Assert.False(ledger.IsFailing);
            Assert.Equal(0, ledger.DroppedCount);
        }

        Assert.Equal((long)Count, await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls"));
    }

    [Fact]
    public async Task Text_with_a_nul_character_is_stored_rather_than_failing_its_batch_for_ever()
    {
        string connection = await server.CreateDatabaseAsync();
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            ledger.Record(new CostRecord { ModelId = "gpt\0-4o", Timestamp = DateTimeOffset.UnixEpoch });
            ledger.Record(new CostRecord { ModelId = "gpt-4o", Timestamp = DateTimeOffset.UnixEpoch });
            await ledger.FlushAsync();
            Assert.False(ledger.IsFailing);
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource);
        Assert.Equal(["gpt\uFFFD-4o", "gpt-4o"], read.Calls.Select(c => c.ModelId));
    }
}
