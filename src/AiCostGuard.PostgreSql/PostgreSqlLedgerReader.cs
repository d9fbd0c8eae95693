using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace AiCostGuard.PostgreSql;

/// <summary>Reads the calls, outcomes and envelope steps a <see cref="PostgreSqlCostLedger"/> wrote, as <see cref="CostLedgerReader"/> reads files: into the same <see cref="LedgerContents"/>, so every report works on either.</summary>
/// <remarks>
/// Records come in the order they were stored. A ledger of an older schema version is read as it is, without migrating
/// it: a version 2 ledger's calls have no <see cref="CostRecord.CostParts"/> and it holds no envelope steps; a version 3
/// ledger's calls have no <see cref="CostRecord.PolicyName"/>, <see cref="CostRecord.BudgetTier"/> nor
/// <see cref="CostRecord.AvoidedCost"/>, and read as chat calls. Times are kept by PostgreSQL to the microsecond and read back in UTC. A
/// row that cannot be read (an enum value a newer version wrote) is skipped and reported in
/// <see cref="LedgerContents.SkippedLines"/> as <c>{schema}.calls id={id}: why</c>. This type is thread-safe.
/// </remarks>
public static class PostgreSqlLedgerReader
{
    /// <summary>Reads the ledger of <paramref name="dataSource"/>.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The ledger's schema.</param>
    /// <param name="from">The earliest record time to read (inclusive), or <see langword="null"/> for no bound.</param>
    /// <param name="to">The time to read up to (exclusive), or <see langword="null"/> for no bound.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records and the skipped rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    /// <exception cref="InvalidOperationException">The database holds no ledger in <paramref name="schema"/>, or a newer version of it.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused the query.</exception>
    public static async Task<LedgerContents> ReadAsync(NpgsqlDataSource dataSource, string schema = "aicostguard", DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlLedgerSchema.ThrowIfInvalid(schema);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int version = await PostgreSqlLedgerSchema.VersionAsync(connection, schema, cancellationToken);
        if (version == 0)
        {
            throw new InvalidOperationException($"The database '{connection.Database}' holds no AiCostGuard ledger in schema '{schema}'.");
        }

        PostgreSqlLedgerSchema.ThrowIfNewer(version, schema);

        // One consistent snapshot for both tables, while writers go on.
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var calls = new List<CostRecord>();
        var outcomes = new List<OutcomeRecord>();
        var steps = new List<EnvelopeStep>();
        var skipped = new List<string>();
        string callColumns = version switch
        {
            < 3 => PostgreSqlLedgerSchema.CallColumnsVersion2,
            3 => PostgreSqlLedgerSchema.CallColumnsVersion3,
            _ => PostgreSqlLedgerSchema.CallColumns,
        };
        await using (NpgsqlCommand command = Select(connection, schema, "calls", callColumns, from, to))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                try
                {
                    calls.Add(ReadCall(reader, version));
                }
                catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidCastException or OverflowException)
                {
                    skipped.Add($"{schema}.calls id={reader.GetGuid(0)}: {e.Message}");
                }
            }
        }

        await using (NpgsqlCommand command = Select(connection, schema, "outcomes", PostgreSqlLedgerSchema.OutcomeColumns, from, to))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                try
                {
                    outcomes.Add(ReadOutcome(reader));
                }
                catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidCastException or OverflowException)
                {
                    skipped.Add($"{schema}.outcomes id={reader.GetGuid(0)}: {e.Message}");
                }
            }
        }

        if (version >= 3)
        {
            await using NpgsqlCommand command = Select(connection, schema, "envelope_steps", PostgreSqlLedgerSchema.EnvelopeStepColumns, from, to);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                try
                {
                    steps.Add(ReadEnvelopeStep(reader));
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
                {
                    skipped.Add($"{schema}.envelope_steps id={reader.GetGuid(0)}: {e.Message}");
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new LedgerContents(calls, outcomes, skipped) { EnvelopeSteps = steps };
    }

    private static NpgsqlCommand Select(NpgsqlConnection connection, string schema, string table, string columns, DateTimeOffset? from, DateTimeOffset? to)
    {
        var command = new NpgsqlCommand(PostgreSqlLedgerSchema.Invariant(
            $"SELECT {columns} FROM {schema}.{table} WHERE ($1::timestamptz IS NULL OR occurred_at >= $1) AND ($2::timestamptz IS NULL OR occurred_at < $2) ORDER BY position"), connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)from?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)to?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        return command;
    }

    private static CostRecord ReadCall(NpgsqlDataReader r, int version) => new()
    {
        Timestamp = Time(r, 1),
        Duration = r.GetTimeSpan(2),
        Attribution = Attribution(r, 3),
        ScopeName = Text(r, 10),
        ScopeId = Text(r, 11),
        ModelId = Text(r, 12),
        RequestedModelId = Text(r, 13),
        Provider = Text(r, 14),
        IsStreaming = r.GetBoolean(15),
        InputTokens = r.GetInt64(16),
        CachedInputTokens = r.GetInt64(17),
        CacheWriteTokens = r.GetInt64(18),
        OutputTokens = r.GetInt64(19),
        ReasoningTokens = r.GetInt64(20),
        EstimatedInputTokens = r.GetInt64(21),
        EstimatePrecision = Enum.Parse<EstimatePrecision>(r.GetString(22)),
        Cost = r.GetDecimal(23),
        CostSource = Enum.Parse<CostSource>(r.GetString(24)),
        Decision = Enum.Parse<BudgetDecision>(r.GetString(25)),
        LimitKind = Text(r, 26) is { } kind ? Enum.Parse<BudgetLimitKind>(kind) : null,
        LimitBudget = Text(r, 27),
        MaximumOutputTokens = r.GetInt64(28),
        RefusalReason = Text(r, 29),
        Attempt = r.GetInt32(30),
        Outcome = Enum.Parse<CallOutcome>(r.GetString(31)),
        ServiceTier = Text(r, 32),
        PricingNotes = Enum.Parse<PricingNotes>(r.GetString(33)),
        TraceId = Text(r, 34) is { Length: 32 } trace ? ActivityTraceId.CreateFromString(trace) : default,
        SpanId = Text(r, 35) is { Length: 16 } span ? ActivitySpanId.CreateFromString(span) : default,
        CostParts = version >= 3 && !r.IsDBNull(36)
            ? new CostParts(r.GetDecimal(36), r.GetDecimal(37), r.GetDecimal(38), r.GetDecimal(39), r.GetDecimal(40), r.GetDecimal(41), r.GetDecimal(42))
            : null,
        PolicyName = version >= 4 ? Text(r, 43) : null,
        BudgetTier = version >= 4 ? Text(r, 44) : null,
        Kind = version >= 4 ? Enum.Parse<CallKind>(r.GetString(45)) : CallKind.Chat,
        AvoidedCost = version >= 4 && !r.IsDBNull(46) ? r.GetDecimal(46) : null,
    };

    private static EnvelopeStep ReadEnvelopeStep(NpgsqlDataReader r) => new(
        r.GetString(2),
        r.GetString(3),
        Time(r, 1),
        Enum.Parse<EnvelopeChange>(r.GetString(4)),
        r.GetDecimal(5),
        r.GetDecimal(6),
        r.GetInt32(7),
        r.IsDBNull(8) ? null : r.GetDecimal(8));

    private static OutcomeRecord ReadOutcome(NpgsqlDataReader r) => new()
    {
        Timestamp = Time(r, 1),
        Attribution = Attribution(r, 2),
        ScopeName = Text(r, 9),
        ScopeId = Text(r, 10),
        Name = r.GetString(11),
        IsSuccess = r.GetBoolean(12),
        Value = r.IsDBNull(13) ? null : r.GetDecimal(13),
    };

    /// <summary>Reads the attribution columns starting at <paramref name="i"/>: six dimensions, then the tags.</summary>
    private static CostAttribution Attribution(NpgsqlDataReader r, int i)
    {
        var attribution = new CostAttribution
        {
            Tenant = Text(r, i),
            Team = Text(r, i + 1),
            Feature = Text(r, i + 2),
            User = Text(r, i + 3),
            CostCenter = Text(r, i + 4),
            Environment = Text(r, i + 5),
        };
        if (Text(r, i + 6) is not { } json)
        {
            return attribution;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty tag in document.RootElement.EnumerateObject())
        {
            tags[tag.Name] = tag.Value.GetString() ?? throw new FormatException($"The tag '{tag.Name}' is not a string.");
        }

        return new CostAttribution { Tags = tags }.Over(attribution);
    }

    private static DateTimeOffset Time(NpgsqlDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
