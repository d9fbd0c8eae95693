using Npgsql;
using NpgsqlTypes;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// The writers of a PostgreSQL ledger (<c>{schema}.writers</c>: one row per <see cref="PostgreSqlCostLedger"/> instance)
/// and the records each was handed but never stored: a killed process cannot count what it lost, so the ledger counts it
/// after the fact, from the gap-free numbers its records carry.
/// </summary>
/// <remarks>
/// A writer numbers the records handed to it 1, 2, 3, ... (the second half of each record id), stores with each batch
/// how many it had been handed, and stores its final count when disposed. A writer killed outright stores no final
/// count; with <see cref="PostgreSqlLedgerOptions.HandOffJournalDirectory"/> its count survives in its journal file and
/// <see cref="StoreDeadAsync"/> (run by the next ledger on that directory, or by <c>aicostguard writers --journal</c>)
/// stores it. Records missing from a writer with a final count are lost: dropped (and counted by that process), or
/// still queued when it was killed. This type is thread-safe.
/// </remarks>
public static class PostgreSqlLedgerWriters
{
    /// <summary>Lists the writers of the ledger, oldest first, each with the ranges of numbers it was handed and did not store.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The ledger's schema.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The writers.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    /// <exception cref="InvalidOperationException">The database holds no ledger in <paramref name="schema"/>, or one of a version without writers.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused the query.</exception>
    public static async Task<IReadOnlyList<PostgreSqlLedgerWriter>> ReadAsync(NpgsqlDataSource dataSource, string schema = "aicostguard", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlLedgerSchema.ThrowIfInvalid(schema);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int version = await PostgreSqlLedgerSchema.VersionAsync(connection, schema, cancellationToken);
        if (version < 2)
        {
            throw new InvalidOperationException(version == 0
                ? $"The database '{connection.Database}' holds no AiCostGuard ledger in schema '{schema}'."
                : $"The ledger in schema '{schema}' is at version {version}, which keeps no writers: a ledger of this version migrates it on its first write.");
        }

        PostgreSqlLedgerSchema.ThrowIfNewer(version, schema);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

        // A record id is the writer's name (16 hex digits) followed by the record's number (16 more).
        string[] tables = version >= 3 ? ["calls", "outcomes", "envelope_steps"] : ["calls", "outcomes"];
        string numbered = "numbered AS (" + string.Join(" UNION ALL ", tables.Select(table => PostgreSqlLedgerSchema.Invariant(
            $"SELECT left(replace(id::text, '-', ''), 16) AS writer, ('x' || right(replace(id::text, '-', ''), 16))::bit(64)::bigint AS n FROM {schema}.{table}"))) + ")";
        var rows = new List<(string Writer, string Host, int ProcessId, DateTimeOffset StartedAt, long HandedOff, DateTimeOffset? EndedAt, string? Ending, long Stored, long Last)>();
        await using (var command = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"""
            WITH {numbered}, stats AS (SELECT writer, count(*) AS stored, max(n) AS last FROM numbered GROUP BY writer)
            SELECT w.writer, w.host, w.process_id, w.started_at, w.handed_off, w.ended_at, w.ending, coalesce(s.stored, 0), coalesce(s.last, 0)
            FROM {schema}.writers w LEFT JOIN stats s USING (writer) ORDER BY w.started_at, w.writer
            """), connection))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), Utc(reader.GetDateTime(3)), reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : Utc(reader.GetDateTime(5)), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7), reader.GetInt64(8)));
            }
        }

        var gaps = new Dictionary<string, List<LedgerSequenceRange>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"""
            WITH {numbered}
            SELECT writer, previous + 1, n - 1 FROM (SELECT writer, n, lag(n, 1, 0::bigint) OVER (PARTITION BY writer ORDER BY n) AS previous FROM numbered) g
            WHERE n > previous + 1 AND writer IN (SELECT writer FROM {schema}.writers) ORDER BY writer, n
            """), connection))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                string writer = reader.GetString(0);
                if (!gaps.TryGetValue(writer, out List<LedgerSequenceRange>? ranges))
                {
                    gaps[writer] = ranges = [];
                }

                ranges.Add(new LedgerSequenceRange(reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        var writers = new List<PostgreSqlLedgerWriter>(rows.Count);
        foreach (var r in rows)
        {
            List<LedgerSequenceRange> missing = gaps.GetValueOrDefault(r.Writer) ?? [];
            if (r.HandedOff > r.Last)
            {
                missing.Add(new LedgerSequenceRange(r.Last + 1, r.HandedOff));
            }

            LedgerWriterState state = r.Ending switch
            {
                "closed" => LedgerWriterState.Closed,
                "killed" => LedgerWriterState.Killed,
                _ => LedgerWriterState.Running,
            };
            writers.Add(new PostgreSqlLedgerWriter(r.Writer, r.Host, r.ProcessId, r.StartedAt, r.HandedOff, r.Stored, state, r.EndedAt, missing));
        }

        return writers;
    }

    /// <summary>
    /// Stores the final counts that writers killed outright left in their hand-off journals in <paramref name="directory"/>
    /// (see <see cref="PostgreSqlLedgerOptions.HandOffJournalDirectory"/>), marks them killed, and deletes their journals.
    /// A journal still held by a live writer is left alone. Creates or migrates the schema first, as a writer would (a
    /// writer killed before its first write may have left a count). Safe to run again and from many processes.
    /// </summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The ledger's schema.</param>
    /// <param name="directory">The journal directory.</param>
    /// <param name="cancellationToken">Cancels the work; journals not yet stored stay.</param>
    /// <returns>How many dead writers' counts were stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="directory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused the statement.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema version than this library knows.</exception>
    public static async Task<int> StoreDeadAsync(NpgsqlDataSource dataSource, string schema, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(directory);
        PostgreSqlLedgerSchema.ThrowIfInvalid(schema);
        IReadOnlyList<HandOffJournal.DeadWriter> dead = HandOffJournal.FindDead(directory, schema);
        if (dead.Count == 0)
        {
            return 0;
        }

        await PostgreSqlLedgerSchema.MigrateAsync(dataSource, schema, cancellationToken);
        int stored = 0;
        foreach (HandOffJournal.DeadWriter writer in dead)
        {
            if (writer.HandedOff > 0)
            {
                await StoreAsync(dataSource, schema, new WriterRow(writer.Writer, Environment.MachineName, writer.ProcessId, writer.StartedAt, writer.HandedOff), "killed", cancellationToken);
                stored++;
            }

            File.Delete(writer.Path);
        }

        return stored;
    }

    /// <summary>Stores (or raises) a writer's hand-off count, and its ending when it has one.</summary>
    internal static async Task StoreAsync(NpgsqlDataSource dataSource, string schema, WriterRow writer, string? ending, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await StoreAsync(connection, schema, writer, ending, cancellationToken);
    }

    /// <inheritdoc cref="StoreAsync(NpgsqlDataSource, string, WriterRow, string?, CancellationToken)"/>
    internal static async Task StoreAsync(NpgsqlConnection connection, string schema, WriterRow writer, string? ending, CancellationToken cancellationToken)
    {
        // Counts only grow: a batch that commits after a later one, or a journal stored twice, never lowers one.
        await using var command = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"""
            INSERT INTO {schema}.writers (writer, host, process_id, started_at, handed_off, ended_at, ending) VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END, $6)
            ON CONFLICT (writer) DO UPDATE SET handed_off = greatest({schema}.writers.handed_off, EXCLUDED.handed_off),
                ended_at = coalesce({schema}.writers.ended_at, EXCLUDED.ended_at), ending = coalesce({schema}.writers.ending, EXCLUDED.ending)
            """), connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = writer.Writer });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = writer.Host });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = writer.ProcessId });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = writer.StartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = writer.HandedOff });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)ending ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>A writer's row: its name, host, process, start and how many records it had been handed.</summary>
    internal readonly record struct WriterRow(string Writer, string Host, int ProcessId, DateTimeOffset StartedAt, long HandedOff);
}
