using AiCostGuard;
using AiCostGuard.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis budget store.</summary>
public static class RedisBudgetStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="RedisBudgetStore"/> as the <see cref="IBudgetStore"/> that period budgets use, e.g.
    /// <c>services.AddCostGovernance(...).AddRedisBudgetStore(o =&gt; o.Configuration = "redis:6379")</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the store.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>The options are validated when the store is first resolved, into one exception listing every problem. It uses the registered <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>.</remarks>
    public static IServiceCollection AddRedisBudgetStore(this IServiceCollection services, Action<RedisBudgetStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(sp =>
        {
            var options = new RedisBudgetStoreOptions();
            configure(options);
            return new RedisBudgetStore(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<RedisBudgetStore>());
        });
        services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(sp => sp.GetRequiredService<RedisBudgetStore>()));
        return services;
    }
}
