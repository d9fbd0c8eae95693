using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

public sealed class PostgreSqlLedgerServiceCollectionExtensionsTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task Options_bind_from_configuration_and_the_ledger_records_beside_the_in_memory_one()
    {
        string connection = await server.CreateDatabaseAsync();
        var services = new ServiceCollection()
            .AddCostGovernance()
            .AddPostgreSqlLedger(Configuration(("ConnectionString", connection), ("Schema", "finops"), ("FailClosed", "true"), ("RetryDelay", "00:00:02")));
        await using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        PostgreSqlLedgerOptions options = provider.GetRequiredService<IOptions<PostgreSqlLedgerOptions>>().Value;
        var ledger = Assert.IsType<CompositeCostLedger>(provider.GetRequiredService<ICostLedger>());
        ledger.Record(Records.Call(1));
        await provider.GetRequiredService<PostgreSqlCostLedger>().FlushAsync();

        Assert.Equal(("finops", true, TimeSpan.FromSeconds(2)), (options.Schema, options.FailClosed, options.RetryDelay));
        Assert.Single(provider.GetRequiredService<InMemoryCostLedger>().GetRecords());
        Assert.Equal(1L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM finops.calls"));
    }

    [Fact]
    public async Task A_registered_NpgsqlDataSource_is_used_and_no_connection_string_is_needed()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var services = new ServiceCollection().AddSingleton(dataSource).AddCostGovernance().AddPostgreSqlLedger(o => o.Schema = "shared");
        await using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        provider.GetRequiredService<ICostLedger>().Record(Records.Call(1));
        await provider.GetRequiredService<PostgreSqlCostLedger>().FlushAsync();

        Assert.Equal(1L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM shared.calls"));
    }

    [Fact]
    public void Invalid_options_fail_at_startup_with_every_problem_listed()
    {
        var services = new ServiceCollection().AddCostGovernance().AddPostgreSqlLedger(Configuration(("Schema", "Bad-Name"), ("QueueCapacity", "0"), ("RetryDelay", "00:01:00"), ("MaximumRetryDelay", "00:00:01")));
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Collection(
            e.Failures.Order(StringComparer.Ordinal),
            f => Assert.StartsWith("ConnectionString:", f, StringComparison.Ordinal),
            f => Assert.StartsWith("MaximumRetryDelay:", f, StringComparison.Ordinal),
            f => Assert.StartsWith("QueueCapacity:", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Schema:", f, StringComparison.Ordinal));
    }

    [Fact]
    public void A_misspelt_configuration_key_is_an_error_naming_it()
    {
        var services = new ServiceCollection().AddCostGovernance().AddPostgreSqlLedger(Configuration(("ConnectionString", "Host=x"), ("FailClosd", "true")));
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("FailClosd", e.Message, StringComparison.Ordinal);
    }
}
