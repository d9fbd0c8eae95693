using AiCostGuard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AiCostGuard's options and ledger in a service collection.</summary>
public static class CostGovernanceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CostGovernanceOptions"/> (bound from <paramref name="configuration"/>, usually the
    /// <c>"AiCostGuard"</c> section, and validated at startup) and an <see cref="InMemoryCostLedger"/> as the
    /// <see cref="ICostLedger"/> unless one is registered. Then add the middleware with
    /// <c>services.AddChatClient(...).UseCostGovernance()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section to bind, or <see langword="null"/>.</param>
    /// <param name="configure">Changes the options after binding, or <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Invalid options fail when the host starts (<c>ValidateOnStart</c>) with one <see cref="OptionsValidationException"/>
    /// listing every problem: a key under <paramref name="configuration"/> that names no setting (a typo such as
    /// <c>MaximumCots</c>), a value a setting cannot take — in a list item too — and every invalid limit. When
    /// <paramref name="configuration"/> reloads, governed clients take the new options for their next calls once they
    /// are valid; an invalid reload is logged and the last valid options stay.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The named overloads take a string name where this one takes a configuration: no call binds to another overload than it did.")]
    public static IServiceCollection AddCostGovernance(this IServiceCollection services, IConfiguration? configuration = null, Action<CostGovernanceOptions>? configure = null) =>
        Add(services, Options.Options.DefaultName, configuration, configure);

    /// <summary>
    /// Registers a named set of <see cref="CostGovernanceOptions"/> bound from <paramref name="configuration"/>, for a
    /// chat client governed with limits of its own: <c>services.AddKeyedChatClient("batch", inner).UseCostGovernance("batch")</c>.
    /// The ledger is shared with every other set; see <see cref="AddCostGovernance(IServiceCollection, IConfiguration?, Action{CostGovernanceOptions}?)"/>.
    /// Change them further with <c>services.Configure&lt;CostGovernanceOptions&gt;(name, ...)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name, given to <c>UseCostGovernance(name)</c>.</param>
    /// <param name="configuration">The configuration section to bind.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// Validated at startup like the unnamed options. When <paramref name="configuration"/> reloads (an
    /// <c>appsettings.json</c> edited while the host runs), the clients governed with these options take the new
    /// options for their next calls once they are valid; an invalid reload is logged and the last valid options stay.
    /// </remarks>
    public static IServiceCollection AddCostGovernance(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, name, configuration, configure: null);
    }

    /// <summary>Registers a named set of <see cref="CostGovernanceOptions"/> configured in code; see <see cref="AddCostGovernance(IServiceCollection, string, IConfiguration)"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name, given to <c>UseCostGovernance(name)</c>.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IServiceCollection AddCostGovernance(this IServiceCollection services, string name, Action<CostGovernanceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Add(services, name, configuration: null, configure);
    }

    private static IServiceCollection Add(IServiceCollection services, string name, IConfiguration? configuration, Action<CostGovernanceOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<CostGovernanceOptions> options = services.AddOptions<CostGovernanceOptions>(name);
        if (configuration is not null)
        {
            var binding = new CheckedConfigurationBinding<CostGovernanceOptions>(name, configuration, ConfigurationShapes.CostGovernance, static (c, o) =>
            {
                c.Bind(o);
                PriceSettings.Bind(c.GetSection(nameof(CostGovernanceOptions.Prices)), o.Prices);
            });
            services.AddSingleton<IConfigureOptions<CostGovernanceOptions>>(binding);
            services.AddSingleton<IValidateOptions<CostGovernanceOptions>>(binding);
            services.AddSingleton<IOptionsChangeTokenSource<CostGovernanceOptions>>(new ConfigurationChangeTokenSource<CostGovernanceOptions>(name, configuration));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CostGovernanceOptions>, CostGovernanceOptionsValidator>());
        services.TryAddSingleton<InMemoryCostLedger>(_ => new InMemoryCostLedger());
        services.TryAddSingleton<ICostLedger>(sp => sp.GetRequiredService<InMemoryCostLedger>());
        return services;
    }

    /// <summary>Registers <see cref="CostGovernanceOptions"/> configured in code; see <see cref="AddCostGovernance(IServiceCollection, IConfiguration?, Action{CostGovernanceOptions}?)"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddCostGovernance(this IServiceCollection services, Action<CostGovernanceOptions> configure) =>
        services.AddCostGovernance(configuration: null, configure);

    private sealed class CostGovernanceOptionsValidator : IValidateOptions<CostGovernanceOptions>
    {
        public ValidateOptionsResult Validate(string? name, CostGovernanceOptions options)
        {
            IReadOnlyList<string> problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
