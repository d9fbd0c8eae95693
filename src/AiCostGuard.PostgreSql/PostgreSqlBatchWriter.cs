using System.Buffers;
using Npgsql;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// Writes a batch of rows in one transaction with binary <c>COPY</c>, encoded by <see cref="BinaryCopyEncoder"/> into a
/// buffer the writer keeps, and stores the writer's hand-off count with them. The primary key on the record id keeps a
/// row from being stored twice: a batch is first copied straight into its tables (ids are fresh, so this is the common
/// case and the fastest); when that meets an id already stored — a retry after a failure whose commit did land, or two
/// writers racing with the same rows — the batch is copied into temporary tables instead and inserted with
/// <c>ON CONFLICT (id) DO NOTHING</c>, so every record is stored once.
/// </summary>
/// <remarks>Used by one ledger's background writer, one batch at a time (the writer keeps one instance per batch it stores at once): not thread-safe.</remarks>
internal sealed class PostgreSqlBatchWriter
{
    private const string UniqueViolation = "23505";

    // Sent to the server in pieces of this size while the rest of the batch is encoded.
    private const int ChunkBytes = 256 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes + (64 * 1024));

    public PostgreSqlBatchWriter(NpgsqlDataSource dataSource, string schema)
    {
        _dataSource = dataSource;
        _schema = schema;
    }

    /// <summary>Writes the first <paramref name="count"/> of <paramref name="rows"/>; returns how many calls, outcomes and envelope steps were new.</summary>
    public Task<(int Calls, int Outcomes, int EnvelopeSteps)> WriteAsync(List<LedgerRow> rows, int count, PostgreSqlLedgerWriters.WriterRow writer, CancellationToken cancellationToken) =>
        WriteAsync(rows, 0, count, writer, cancellationToken);

    /// <summary>Writes <paramref name="count"/> of <paramref name="rows"/> from <paramref name="start"/>, which no one changes meanwhile.</summary>
    public async Task<(int Calls, int Outcomes, int EnvelopeSteps)> WriteAsync(List<LedgerRow> rows, int start, int count, PostgreSqlLedgerWriters.WriterRow writer, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(rows, start, start + count, writer, skipStored: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            return await WriteAsync(rows, start, start + count, writer, skipStored: true, cancellationToken);
        }
    }

    private async Task<(int Calls, int Outcomes, int EnvelopeSteps)> WriteAsync(List<LedgerRow> rows, int start, int end, PostgreSqlLedgerWriters.WriterRow writer, bool skipStored, CancellationToken cancellationToken)
    {
        bool anyCall = false, anyOutcome = false, anyStep = false;
        for (int i = start; i < end; i++)
        {
            LedgerTable table = rows[i].Table;
            anyCall |= table == LedgerTable.Calls;
            anyOutcome |= table == LedgerTable.Outcomes;
            anyStep |= table == LedgerTable.EnvelopeSteps;
        }

        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        int calls = anyCall ? await CopyAsync(connection, LedgerTable.Calls, rows, start, end, skipStored, cancellationToken) : 0;
        int outcomes = anyOutcome ? await CopyAsync(connection, LedgerTable.Outcomes, rows, start, end, skipStored, cancellationToken) : 0;
        int steps = anyStep ? await CopyAsync(connection, LedgerTable.EnvelopeSteps, rows, start, end, skipStored, cancellationToken) : 0;
        await PostgreSqlLedgerWriters.StoreAsync(connection, _schema, writer, ending: null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (calls, outcomes, steps);
    }

    private async Task<int> CopyAsync(NpgsqlConnection connection, LedgerTable table, List<LedgerRow> rows, int start, int end, bool skipStored, CancellationToken cancellationToken)
    {
        (string name, string columns) = table switch
        {
            LedgerTable.Calls => ("calls", PostgreSqlLedgerSchema.CallColumns),
            LedgerTable.Outcomes => ("outcomes", PostgreSqlLedgerSchema.OutcomeColumns),
            LedgerTable.EnvelopeSteps => ("envelope_steps", PostgreSqlLedgerSchema.EnvelopeStepColumns),
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
        };
        string target = _schema + "." + name;
        if (skipStored)
        {
            target = "aicostguard_staging_" + name;
            await using var create = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {_schema}.{name} WITH NO DATA"), connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        int copied = 0;
        await using (NpgsqlRawCopyStream copy = await connection.BeginRawBinaryCopyAsync(PostgreSqlLedgerSchema.Invariant($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)"), cancellationToken))
        {
            _buffer.Clear();
            BinaryCopyEncoder.WriteHeader(_buffer);
            for (int i = start; i < end; i++)
            {
                LedgerRow row = rows[i];
                if (row.Table != table)
                {
                    continue;
                }

                switch (table)
                {
                    case LedgerTable.Calls:
                        BinaryCopyEncoder.WriteCall(_buffer, row.Id, row.Call);
                        break;
                    case LedgerTable.Outcomes:
                        BinaryCopyEncoder.WriteOutcome(_buffer, row.Id, row.Outcome);
                        break;
                    case LedgerTable.EnvelopeSteps:
                        BinaryCopyEncoder.WriteEnvelopeStep(_buffer, row.Id, row.Step!);
                        break;
                }

                copied++;
                if (_buffer.WrittenCount >= ChunkBytes)
                {
                    await copy.WriteAsync(_buffer.WrittenMemory, cancellationToken);
                    _buffer.Clear();
                }
            }

            BinaryCopyEncoder.WriteTrailer(_buffer);
            await copy.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        }

        if (!skipStored)
        {
            return copied;
        }

        await using var insert = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"INSERT INTO {_schema}.{name} ({columns}) SELECT {columns} FROM {target} ON CONFLICT (id) DO NOTHING"), connection);
        return await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
