using AiCostGuard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the JSON Lines ledger file beside the in-memory ledger.</summary>
public static class JsonLinesLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="JsonLinesCostLedger"/> and makes the <see cref="ICostLedger"/> a
    /// <see cref="CompositeCostLedger"/> of the <see cref="InMemoryCostLedger"/> and the file, so records stay in memory
    /// whatever the disk does. Works before or after <c>AddCostGovernance</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the file ledger; <see cref="JsonLinesLedgerOptions.Directory"/> must be set.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// Invalid options throw when the ledger is first resolved. Retries after a failed write run on the registered
    /// <see cref="TimeProvider"/> unless <paramref name="configure"/> sets one, else on the system clock. The container disposes the ledger, which writes what is queued
    /// and counts as dropped what it still cannot write.
    /// </remarks>
    public static IServiceCollection AddJsonLinesLedger(this IServiceCollection services, Action<JsonLinesLedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(services, configuration: null, configure);
    }

    /// <summary>
    /// Registers a <see cref="JsonLinesCostLedger"/> with its options bound from <paramref name="configuration"/>, e.g.
    /// <c>builder.Configuration.GetSection("AiCostGuard:Ledger")</c>; see <see cref="AddJsonLinesLedger(IServiceCollection, Action{JsonLinesLedgerOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section to bind; its <c>Directory</c> key must be set.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// A key that names no setting (a typo) or a value a setting cannot take is a problem listed, with the other
    /// problems of the options, in the exception thrown when the ledger is first resolved.
    /// </remarks>
    public static IServiceCollection AddJsonLinesLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, configuration, configure: null);
    }

    private static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration, Action<JsonLinesLedgerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new JsonLinesLedgerOptions();
            options.TimeProvider = sp.GetService<TimeProvider>();
            if (configuration is not null)
            {
                (List<string> problems, Dictionary<string, string?> valid) = ConfigurationCheck.Check(configuration, ConfigurationShapes.JsonLinesLedger);
                new ConfigurationBuilder().AddInMemoryCollection(valid).Build().Bind(options);
                if (problems.Count > 0)
                {
                    throw new OptionsValidationException(nameof(JsonLinesLedgerOptions), typeof(JsonLinesLedgerOptions), [.. problems, .. options.Validate()]);
                }
            }

            configure?.Invoke(options);
            return new JsonLinesCostLedger(options, sp.GetService<ILogger<JsonLinesCostLedger>>());
        });
        services.TryAddSingleton<InMemoryCostLedger>(_ => new InMemoryCostLedger());
        services.Replace(ServiceDescriptor.Singleton<ICostLedger>(sp => new CompositeCostLedger(sp.GetRequiredService<InMemoryCostLedger>(), sp.GetRequiredService<JsonLinesCostLedger>())));
        return services;
    }
}
