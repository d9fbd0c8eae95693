using AiCostGuard;
using AiCostGuard.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis budget store.</summary>
public static class RedisBudgetStoreServiceCollectionExtensions
{
    internal static readonly ConfigurationShape Shape = ConfigurationShape.Of<RedisBudgetStoreOptions>().With<BudgetLimits>();

    /// <summary>
    /// Registers a <see cref="RedisBudgetStore"/> as the <see cref="IBudgetStore"/> that period budgets use, e.g.
    /// <c>services.AddCostGovernance(...).AddRedisBudgetStore(o =&gt; o.Configuration = "redis:6379")</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the store.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// The options are validated when the store is first resolved, into one exception listing every problem. It uses
    /// the registered <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>. When neither
    /// <see cref="RedisBudgetStoreOptions.Configuration"/> nor <see cref="RedisBudgetStoreOptions.ConnectionMultiplexerFactory"/>
    /// is set and an <see cref="IConnectionMultiplexer"/> is registered (Aspire's <c>AddRedisClient</c>, or your own),
    /// the store shares that connection and leaves its disposal to the container.
    /// </remarks>
    public static IServiceCollection AddRedisBudgetStore(this IServiceCollection services, Action<RedisBudgetStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(services, configuration: null, configure);
    }

    /// <summary>
    /// Registers a <see cref="RedisBudgetStore"/> with its options bound from <paramref name="configuration"/>, e.g.
    /// <c>builder.Configuration.GetSection("AiCostGuard:Redis")</c>; see <see cref="AddRedisBudgetStore(IServiceCollection, Action{RedisBudgetStoreOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section to bind.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// A key that names no setting (a typo) or a value a setting cannot take is a problem listed, with the other
    /// problems of the options, in the exception thrown when the store is first resolved. Without a
    /// <c>Configuration</c> key, a registered <see cref="IConnectionMultiplexer"/> is shared.
    /// </remarks>
    public static IServiceCollection AddRedisBudgetStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, configuration, configure: null);
    }

    private static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration, Action<RedisBudgetStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new RedisBudgetStoreOptions();
            List<string> problems = [];
            if (configuration is not null)
            {
                (problems, Dictionary<string, string?> valid) = ConfigurationCheck.Check(configuration, Shape);
                new ConfigurationBuilder().AddInMemoryCollection(valid).Build().Bind(options);
            }

            configure?.Invoke(options);
            if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConnectionMultiplexerFactory is null
                && sp.GetService<IConnectionMultiplexer>() is { } shared)
            {
                options.ConnectionMultiplexerFactory = () => Task.FromResult(shared);
            }

            if (problems.Count > 0)
            {
                throw new OptionsValidationException(nameof(RedisBudgetStoreOptions), typeof(RedisBudgetStoreOptions), [.. problems, .. options.Validate()]);
            }

            return new RedisBudgetStore(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<RedisBudgetStore>());
        });
        services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(sp => sp.GetRequiredService<RedisBudgetStore>()));
        return services;
    }
}
