using System.Globalization;
using Npgsql;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// The tables of the PostgreSQL ledger and their versioned migrations: <c>{schema}.calls</c> (one row per
/// <see cref="CostRecord"/>), <c>{schema}.outcomes</c> (one per <see cref="OutcomeRecord"/>) and
/// <c>{schema}.envelope_steps</c> (one per <see cref="EnvelopeStep"/>), <c>{schema}.writers</c> (one row per ledger
/// instance that wrote, with how many records it was handed: see <see cref="PostgreSqlLedgerWriters"/>) and
/// <c>{schema}.schema_version</c> (one row per migration applied). The SQL is listed in the README.
/// </summary>
/// <remarks>
/// <see cref="PostgreSqlCostLedger"/> migrates on its first write; run <see cref="MigrateAsync"/> from a deployment step
/// instead when the application's database user may not create tables, and for a large ledger of version 3 or older:
/// version 4 builds a new time index, which reads the table once while writers wait. Migrations run in one transaction
/// under an advisory lock, so many processes starting at once migrate once. This type is thread-safe.
/// </remarks>
public static class PostgreSqlLedgerSchema
{
    /// <summary>The schema version this library writes and reads.</summary>
    public const int CurrentVersion = 4;

    // The advisory lock's first key: "ACG" in ASCII; the second is the hash of the schema name.
    private const int LockKey = 0x414347;

    /// <summary>The columns a call row is written with, in <c>COPY</c> order.</summary>
    internal const string CallColumns = CallColumnsVersion3 + ", " + CallColumnsAddedInVersion4;

    /// <summary>The call columns of a version 3 ledger, which keeps no policy, budget tier, call kind nor avoided cost.</summary>
    internal const string CallColumnsVersion3 = CallColumnsVersion2 + ", " + CostPartColumns;

    /// <summary>The call columns of a version 2 ledger, which keeps no cost parts.</summary>
    internal const string CallColumnsVersion2 =
        "id, occurred_at, duration, tenant, team, feature, end_user, cost_center, environment, tags, scope_name, scope_id, "
        + "model_id, requested_model_id, provider, is_streaming, input_tokens, cached_input_tokens, cache_write_tokens, "
        + "output_tokens, reasoning_tokens, estimated_input_tokens, estimate_precision, cost, cost_source, decision, "
        + "limit_kind, limit_budget, maximum_output_tokens, refusal_reason, attempt, outcome, service_tier, pricing_notes, "
        + "trace_id, span_id";

    /// <summary>What a call was charged for each kind of token (<see cref="CostParts"/>), in its field order; all null for a call priced without them.</summary>
    internal const string CostPartColumns =
        "cost_uncached_input, cost_cached_input, cost_cache_write, cost_output, cost_reasoning, cost_audio_and_image, cost_request_fee";

    /// <summary>The call columns version 4 added: <see cref="CostRecord.PolicyName"/>, <see cref="CostRecord.BudgetTier"/>, <see cref="CostRecord.Kind"/> and <see cref="CostRecord.AvoidedCost"/>.</summary>
    internal const string CallColumnsAddedInVersion4 = "policy_name, budget_tier, call_kind, avoided_cost";

    /// <summary>The columns an envelope step row is written with, in <c>COPY</c> order.</summary>
    internal const string EnvelopeStepColumns = "id, occurred_at, envelope, key, change, ceiling, spent, successes, cost_per_success";

    /// <summary>The columns an outcome row is written with, in <c>COPY</c> order.</summary>
    internal const string OutcomeColumns =
        "id, occurred_at, tenant, team, feature, end_user, cost_center, environment, tags, scope_name, scope_id, name, is_success, value";

    private static readonly string[] Migrations =
    [
        // 1: calls and outcomes, keyed by the record id the writer gives each record, so a retried batch is stored once.
        """
        CREATE TABLE {0}.calls (
            id uuid PRIMARY KEY,
            position bigint GENERATED ALWAYS AS IDENTITY,
            occurred_at timestamptz NOT NULL,
            duration interval NOT NULL,
            tenant text, team text, feature text, end_user text, cost_center text, environment text,
            tags jsonb,
            scope_name text, scope_id text,
            model_id text, requested_model_id text, provider text,
            is_streaming boolean NOT NULL,
            input_tokens bigint NOT NULL, cached_input_tokens bigint NOT NULL, cache_write_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL, reasoning_tokens bigint NOT NULL,
            estimated_input_tokens bigint NOT NULL, estimate_precision text NOT NULL,
            cost numeric NOT NULL, cost_source text NOT NULL,
            decision text NOT NULL, limit_kind text, limit_budget text, maximum_output_tokens bigint NOT NULL,
            refusal_reason text, attempt integer NOT NULL, outcome text NOT NULL,
            service_tier text, pricing_notes text NOT NULL,
            trace_id text, span_id text
        );
        CREATE INDEX calls_occurred_at ON {0}.calls (occurred_at);
        CREATE TABLE {0}.outcomes (
            id uuid PRIMARY KEY,
            position bigint GENERATED ALWAYS AS IDENTITY,
            occurred_at timestamptz NOT NULL,
            tenant text, team text, feature text, end_user text, cost_center text, environment text,
            tags jsonb,
            scope_name text, scope_id text,
            name text NOT NULL, is_success boolean NOT NULL, value numeric
        );
        CREATE INDEX outcomes_occurred_at ON {0}.outcomes (occurred_at);
        """,

        // 2: the writers, so that what a writer was handed and never stored (killed, or dropped) is counted after the fact.
        """
        CREATE TABLE {0}.writers (
            writer text PRIMARY KEY,
            host text NOT NULL,
            process_id integer NOT NULL,
            started_at timestamptz NOT NULL,
            handed_off bigint NOT NULL,
            ended_at timestamptz,
            ending text
        );
        """,

        // 3: what a call was charged for each kind of token (FOCUS rows per charge), and the moves of adaptive envelopes'
        // ceilings. Rows written before it keep null parts, read as a call without parts, as old JSON Lines lines are.
        """
        ALTER TABLE {0}.calls
            ADD COLUMN cost_uncached_input numeric, ADD COLUMN cost_cached_input numeric, ADD COLUMN cost_cache_write numeric,
            ADD COLUMN cost_output numeric, ADD COLUMN cost_reasoning numeric, ADD COLUMN cost_audio_and_image numeric,
            ADD COLUMN cost_request_fee numeric;
        CREATE TABLE {0}.envelope_steps (
            id uuid PRIMARY KEY,
            position bigint GENERATED ALWAYS AS IDENTITY,
            occurred_at timestamptz NOT NULL,
            envelope text NOT NULL, key text NOT NULL, change text NOT NULL,
            ceiling numeric NOT NULL, spent numeric NOT NULL, successes integer NOT NULL, cost_per_success numeric
        );
        CREATE INDEX envelope_steps_occurred_at ON {0}.envelope_steps (occurred_at);
        """,

        // 4: the policy that denied a call, the budget tier in force, chat or embeddings, and what a cached answer saved.
        // A column with a constant default is added without rewriting the table; rows written before it read as the JSON
        // Lines lines that lack these fields do: no policy, no tier, a chat call, nothing avoided.
        // The time index becomes a block-range one: calls are appended roughly in time order, so a range of pages holds a
        // narrow range of times, and a range read finds its pages as a B-tree would, while a row appended costs the server
        // next to nothing instead of a B-tree insert and its WAL record (about a sixth of the server's work per call stored).
        """
        ALTER TABLE {0}.calls
            ADD COLUMN policy_name text, ADD COLUMN budget_tier text, ADD COLUMN call_kind text NOT NULL DEFAULT 'Chat',
            ADD COLUMN avoided_cost numeric;
        DROP INDEX IF EXISTS {0}.calls_occurred_at;
        CREATE INDEX calls_occurred_at ON {0}.calls USING brin (occurred_at) WITH (autosummarize = on);
        """,
    ];

    /// <summary>Creates the schema and its tables, or applies the migrations a database created by an older version lacks. Safe to run again, and from many processes at once.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The PostgreSQL schema (see <see cref="PostgreSqlLedgerOptions.Schema"/>).</param>
    /// <param name="cancellationToken">Cancels the migration; a cancelled migration is rolled back whole.</param>
    /// <returns>The version of the schema before the migration: 0 for an empty database.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema version than this library knows.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused a statement.</exception>
    public static Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema = "aicostguard", CancellationToken cancellationToken = default) =>
        MigrateToAsync(dataSource, schema, CurrentVersion, cancellationToken);

    /// <summary>Migrates up to <paramref name="target"/> only: a database as an older version of the library left it.</summary>
    internal static async Task<int> MigrateToAsync(NpgsqlDataSource dataSource, string schema, int target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ThrowIfInvalid(schema);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, Invariant($"SELECT pg_advisory_xact_lock({LockKey}, hashtext('{schema}'))"), cancellationToken);
        await ExecuteAsync(connection, Invariant($"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE IF NOT EXISTS {schema}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"), cancellationToken);
        int version;
        await using (var read = new NpgsqlCommand(Invariant($"SELECT coalesce(max(version), 0) FROM {schema}.schema_version"), connection))
        {
            version = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        ThrowIfNewer(version, schema);
        for (int next = version + 1; next <= target; next++)
        {
            await ExecuteAsync(connection, string.Format(CultureInfo.InvariantCulture, Migrations[next - 1], schema), cancellationToken);
            await ExecuteAsync(connection, Invariant($"INSERT INTO {schema}.schema_version (version) VALUES ({next})"), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    /// <summary>Gets the schema version of a database: 0 when it holds no ledger in <paramref name="schema"/>.</summary>
    internal static async Task<int> VersionAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand(Invariant($"SELECT to_regclass('{schema}.schema_version') IS NOT NULL"), connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return 0;
        }

        await using var read = new NpgsqlCommand(Invariant($"SELECT coalesce(max(version), 0) FROM {schema}.schema_version"), connection);
        return (int)(await read.ExecuteScalarAsync(cancellationToken))!;
    }

    internal static void ThrowIfNewer(int version, string schema)
    {
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException($"The ledger in schema '{schema}' is at version {version}, newer than this library knows ({CurrentVersion}): upgrade AiCostGuard.PostgreSql.");
        }
    }

    internal static void ThrowIfInvalid(string schema)
    {
        // The name is put into SQL text (identifiers cannot be parameters): only plain lower-case identifiers pass.
        if (string.IsNullOrEmpty(schema) || schema.Length > 63 || !(char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            || !schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name: use 1 to 63 lower-case letters, digits or '_', not starting with a digit.", nameof(schema));
        }
    }

    internal static string Invariant(FormattableString sql) => sql.ToString(CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
