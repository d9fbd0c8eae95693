using System.Buffers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// Writes a batch of rows in one transaction with binary <c>COPY</c>. The primary key on the record id keeps a row from
/// being stored twice: a batch is first copied straight into its tables (ids are fresh, so this is the common case and
/// the fastest); when that meets an id already stored — a retry after a failure whose commit did land, or two writers
/// racing with the same rows — the batch is copied into temporary tables instead and inserted with
/// <c>ON CONFLICT (id) DO NOTHING</c>, so every record is stored once.
/// </summary>
internal static class PostgreSqlBatchWriter
{
    private const string UniqueViolation = "23505";

    /// <summary>Writes <paramref name="rows"/>; returns how many calls and outcomes were new.</summary>
    public static async Task<(int Calls, int Outcomes)> WriteAsync(NpgsqlDataSource dataSource, string schema, IReadOnlyList<LedgerRow> rows, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(dataSource, schema, rows, skipStored: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            return await WriteAsync(dataSource, schema, rows, skipStored: true, cancellationToken);
        }
    }

    private static async Task<(int Calls, int Outcomes)> WriteAsync(NpgsqlDataSource dataSource, string schema, IReadOnlyList<LedgerRow> rows, bool skipStored, CancellationToken cancellationToken)
    {
        bool anyCall = false, anyOutcome = false;
        foreach (LedgerRow row in rows)
        {
            anyCall |= !row.IsOutcome;
            anyOutcome |= row.IsOutcome;
        }

        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        int calls = anyCall ? await CopyAsync(connection, schema, "calls", PostgreSqlLedgerSchema.CallColumns, rows, outcomes: false, skipStored, cancellationToken) : 0;
        int outcomes = anyOutcome ? await CopyAsync(connection, schema, "outcomes", PostgreSqlLedgerSchema.OutcomeColumns, rows, outcomes: true, skipStored, cancellationToken) : 0;
        await transaction.CommitAsync(cancellationToken);
        return (calls, outcomes);
    }

    private static async Task<int> CopyAsync(NpgsqlConnection connection, string schema, string table, string columns, IReadOnlyList<LedgerRow> rows, bool outcomes, bool skipStored, CancellationToken cancellationToken)
    {
        string target = schema + "." + table;
        if (skipStored)
        {
            target = "aicostguard_staging_" + table;
            await using var create = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {schema}.{table} WITH NO DATA"), connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        ulong copied;
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync(PostgreSqlLedgerSchema.Invariant($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)"), cancellationToken))
        {
            var json = new ArrayBufferWriter<byte>(256);
            foreach (LedgerRow row in rows)
            {
                if (row.IsOutcome != outcomes)
                {
                    continue;
                }

                await importer.StartRowAsync(cancellationToken);
                if (outcomes)
                {
                    await WriteOutcomeAsync(importer, row.Id, row.Outcome, json, cancellationToken);
                }
                else
                {
                    await WriteCallAsync(importer, row.Id, row.Call, json, cancellationToken);
                }
            }

            copied = await importer.CompleteAsync(cancellationToken);
        }

        if (!skipStored)
        {
            return (int)copied;
        }

        await using var insert = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant($"INSERT INTO {schema}.{table} ({columns}) SELECT {columns} FROM {target} ON CONFLICT (id) DO NOTHING"), connection);
        return await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteCallAsync(NpgsqlBinaryImporter w, Guid id, CostRecord r, ArrayBufferWriter<byte> json, CancellationToken ct)
    {
        await w.WriteAsync(id, NpgsqlDbType.Uuid, ct);
        await w.WriteAsync(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        await w.WriteAsync(r.Duration, NpgsqlDbType.Interval, ct);
        await WriteAttributionAsync(w, r.Attribution, r.ScopeName, r.ScopeId, json, ct);
        await TextAsync(w, r.ModelId, ct);
        await TextAsync(w, r.RequestedModelId, ct);
        await TextAsync(w, r.Provider, ct);
        await w.WriteAsync(r.IsStreaming, NpgsqlDbType.Boolean, ct);
        await w.WriteAsync(r.InputTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.CachedInputTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.CacheWriteTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.OutputTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.ReasoningTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.EstimatedInputTokens, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(r.EstimatePrecision.ToString(), NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Cost, NpgsqlDbType.Numeric, ct);
        await w.WriteAsync(r.CostSource.ToString(), NpgsqlDbType.Text, ct);
        await w.WriteAsync(r.Decision.ToString(), NpgsqlDbType.Text, ct);
        await TextAsync(w, r.LimitKind?.ToString(), ct);
        await TextAsync(w, r.LimitBudget, ct);
        await w.WriteAsync(r.MaximumOutputTokens, NpgsqlDbType.Bigint, ct);
        await TextAsync(w, r.RefusalReason, ct);
        await w.WriteAsync(r.Attempt, NpgsqlDbType.Integer, ct);
        await w.WriteAsync(r.Outcome.ToString(), NpgsqlDbType.Text, ct);
        await TextAsync(w, r.ServiceTier, ct);
        await w.WriteAsync(r.PricingNotes.ToString(), NpgsqlDbType.Text, ct);
        await TextAsync(w, r.TraceId == default ? null : r.TraceId.ToHexString(), ct);
        await TextAsync(w, r.SpanId == default ? null : r.SpanId.ToHexString(), ct);
    }

    private static async Task WriteOutcomeAsync(NpgsqlBinaryImporter w, Guid id, OutcomeRecord o, ArrayBufferWriter<byte> json, CancellationToken ct)
    {
        await w.WriteAsync(id, NpgsqlDbType.Uuid, ct);
        await w.WriteAsync(o.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        await WriteAttributionAsync(w, o.Attribution, o.ScopeName, o.ScopeId, json, ct);
        await w.WriteAsync(Clean(o.Name ?? string.Empty), NpgsqlDbType.Text, ct);
        await w.WriteAsync(o.IsSuccess, NpgsqlDbType.Boolean, ct);
        if (o.Value is { } value)
        {
            await w.WriteAsync(value, NpgsqlDbType.Numeric, ct);
        }
        else
        {
            await w.WriteNullAsync(ct);
        }
    }

    private static async Task WriteAttributionAsync(NpgsqlBinaryImporter w, CostAttribution? a, string? scopeName, string? scopeId, ArrayBufferWriter<byte> json, CancellationToken ct)
    {
        await TextAsync(w, a?.Tenant, ct);
        await TextAsync(w, a?.Team, ct);
        await TextAsync(w, a?.Feature, ct);
        await TextAsync(w, a?.User, ct);
        await TextAsync(w, a?.CostCenter, ct);
        await TextAsync(w, a?.Environment, ct);
        if (a is { Tags.Count: > 0 })
        {
            json.Clear();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                foreach (KeyValuePair<string, string> tag in a.Tags)
                {
                    writer.WriteString(tag.Key, tag.Value);
                }

                writer.WriteEndObject();
            }

            await w.WriteAsync(Encoding.UTF8.GetString(json.WrittenSpan), NpgsqlDbType.Jsonb, ct);
        }
        else
        {
            await w.WriteNullAsync(ct);
        }

        await TextAsync(w, scopeName, ct);
        await TextAsync(w, scopeId, ct);
    }

    private static Task TextAsync(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
        value is null ? w.WriteNullAsync(ct) : w.WriteAsync(Clean(value), NpgsqlDbType.Text, ct);

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, and one such character would fail its whole batch on every retry; a model id
    /// or refusal reason carrying one is stored with U+FFFD in its place.
    /// </summary>
    private static string Clean(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
}
