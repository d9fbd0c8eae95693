using Npgsql;

namespace AiCostGuard.PostgreSql.Tests.Infrastructure;

/// <summary>Queries the tests check the ledger's tables with.</summary>
public static class Database
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using NpgsqlCommand command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
