using Npgsql;

namespace AiCostGuard.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A ledger as an older version of the library left it: the schema migrated up to that version only, and rows in the
/// columns that version wrote. The rows are written by a current ledger into a scratch schema and copied over column by
/// column, so they hold exactly what an old writer stored.
/// </summary>
public static class OldLedger
{
    public static async Task CreateAsync(NpgsqlDataSource dataSource, int version, IEnumerable<CostRecord> calls, IEnumerable<OutcomeRecord> outcomes)
    {
        await PostgreSqlLedgerSchema.MigrateToAsync(dataSource, "aicostguard", version, CancellationToken.None);
        await using (var scratch = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { Schema = "scratch" }, dataSource))
        {
            foreach (CostRecord call in calls)
            {
                scratch.Record(call);
            }

            foreach (OutcomeRecord outcome in outcomes)
            {
                scratch.Record(outcome);
            }
        }

        string columns = version switch
        {
            <= 2 => PostgreSqlLedgerSchema.CallColumnsVersion2,
            3 => PostgreSqlLedgerSchema.CallColumnsVersion3,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "An old ledger is version 2 or 3."),
        };
        string copy = $"""
            INSERT INTO aicostguard.calls ({columns}) SELECT {columns} FROM scratch.calls ORDER BY position;
            INSERT INTO aicostguard.outcomes ({PostgreSqlLedgerSchema.OutcomeColumns}) SELECT {PostgreSqlLedgerSchema.OutcomeColumns} FROM scratch.outcomes ORDER BY position;
            {(version >= 2 ? "INSERT INTO aicostguard.writers SELECT * FROM scratch.writers;" : string.Empty)}
            DROP SCHEMA scratch CASCADE;
            """;
        await using NpgsqlCommand command = dataSource.CreateCommand(copy);
        await command.ExecuteNonQueryAsync();
    }
}
