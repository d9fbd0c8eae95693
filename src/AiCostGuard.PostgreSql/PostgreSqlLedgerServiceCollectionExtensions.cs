using AiCostGuard;
using AiCostGuard.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL ledger beside the in-memory ledger.</summary>
public static class PostgreSqlLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="PostgreSqlCostLedger"/> and makes the <see cref="ICostLedger"/> a
    /// <see cref="CompositeCostLedger"/> of the <see cref="InMemoryCostLedger"/> and the database, e.g.
    /// <c>services.AddCostGovernance(config.GetSection("AiCostGuard")).AddPostgreSqlLedger(config.GetSection("AiCostGuard:PostgreSqlLedger"))</c>.
    /// The ledger writes through the <see cref="NpgsqlDataSource"/> registered in the container when there is one
    /// (e.g. by <c>AddNpgsqlDataSource</c>), otherwise through one it opens from <see cref="PostgreSqlLedgerOptions.ConnectionString"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section to bind the options from, or <see langword="null"/>; a key that names no option is an error.</param>
    /// <param name="configure">Changes the options after binding, or <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>Invalid options fail when the host starts (<c>ValidateOnStart</c>) with one <see cref="OptionsValidationException"/> listing every problem. The container disposes the ledger, which writes what is queued. It uses the registered <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>.</remarks>
    public static IServiceCollection AddPostgreSqlLedger(this IServiceCollection services, IConfiguration? configuration = null, Action<PostgreSqlLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<PostgreSqlLedgerOptions> options = services.AddOptions<PostgreSqlLedgerOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlLedgerOptions>, OptionsValidator>(sp =>
            new OptionsValidator(sp.GetService<IServiceProviderIsService>()?.IsService(typeof(NpgsqlDataSource)) == true)));
        services.TryAddSingleton(sp => new PostgreSqlCostLedger(
            sp.GetRequiredService<IOptions<PostgreSqlLedgerOptions>>().Value,
            sp.GetService<NpgsqlDataSource>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<PostgreSqlCostLedger>>()));
        services.TryAddSingleton<InMemoryCostLedger>(_ => new InMemoryCostLedger());
        services.Replace(ServiceDescriptor.Singleton<ICostLedger>(sp => new CompositeCostLedger(sp.GetRequiredService<InMemoryCostLedger>(), sp.GetRequiredService<PostgreSqlCostLedger>())));
        return services;
    }

    /// <summary>Registers the PostgreSQL ledger configured in code; see <see cref="AddPostgreSqlLedger(IServiceCollection, IConfiguration?, Action{PostgreSqlLedgerOptions}?)"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddPostgreSqlLedger(this IServiceCollection services, Action<PostgreSqlLedgerOptions> configure) =>
        services.AddPostgreSqlLedger(configuration: null, configure);

    private sealed class OptionsValidator(bool hasDataSource) : IValidateOptions<PostgreSqlLedgerOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgreSqlLedgerOptions options)
        {
            IReadOnlyList<string> problems = options.Validate(hasDataSource);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
