using AiCostGuard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds cost governance to a chat client pipeline.</summary>
public static class CostGovernanceChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="CostGovernanceChatClient"/> to the pipeline: every call is attributed, estimated, priced and
    /// checked against its budgets before it is sent, and recorded with its real cost after.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Changes the options; it runs on a copy of the <see cref="CostGovernanceOptions"/> registered
    /// in the service provider (see <c>AddCostGovernance</c>), or on the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>The options are validated when the pipeline is built; invalid options throw one
    /// <see cref="OptionsValidationException"/> listing every problem.</para>
    /// <para>Services used when registered: <see cref="IOptionsFactory{TOptions}"/> and the <see cref="IOptionsChangeTokenSource{TOptions}"/> of <see cref="CostGovernanceOptions"/>,
    /// <see cref="ICostLedger"/>, <see cref="IBudgetStore"/>, <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>.</para>
    /// <para>Order: place it after (inside) <c>UseOpenTelemetry()</c> to put cost on the model call's span, and after
    /// (inside) <c>UseFunctionInvocation()</c> to budget every model call of a tool loop.</para>
    /// <para>When the options are bound from configuration that reloads, new calls take the new options once they are
    /// valid; see <see cref="UseCostGovernance(ChatClientBuilder, string)"/>.</para>
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The named overload takes a string where this one takes a delegate: no call binds to another overload than it did.")]
    public static ChatClientBuilder UseCostGovernance(this ChatClientBuilder builder, Action<CostGovernanceOptions>? configure = null) =>
        Use(builder, Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds a <see cref="CostGovernanceChatClient"/> governed by the named <see cref="CostGovernanceOptions"/>
    /// registered with <c>services.AddCostGovernance(name, ...)</c>: a keyed chat client with limits of its own,
    /// <c>services.AddKeyedChatClient("batch", inner).UseCostGovernance("batch")</c>.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="optionsName">The name of the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="optionsName"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// When the options are bound from configuration that reloads, the client takes the new options for its next calls
    /// once they are valid; an invalid reload is logged and the last valid
    /// options stay. The input calibrator and the period budgets' store carry over; spend velocity windows start again.
    /// Handlers of <see cref="CostGovernanceChatClient.SpendVelocityExceeded"/> are attached to one governed client:
    /// find the one in force with <c>GetService&lt;CostGovernanceChatClient&gt;()</c> after a reload.
    /// </remarks>
    public static ChatClientBuilder UseCostGovernance(this ChatClientBuilder builder, string optionsName)
    {
        ArgumentNullException.ThrowIfNull(optionsName);
        return Use(builder, optionsName, configure: null);
    }

    private static ChatClientBuilder Use(ChatClientBuilder builder, string optionsName, Action<CostGovernanceOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            CostGovernanceOptions Complete(CostGovernanceOptions registered)
            {
                CostGovernanceOptions options = registered.Clone();
                configure?.Invoke(options);
                options.Ledger ??= services.GetService<ICostLedger>();
                options.BudgetStore ??= services.GetService<IBudgetStore>();
                return options;
            }

            CostGovernanceChatClient Build(CostGovernanceOptions options) => new(
                innerClient,
                options,
                services.GetService<TimeProvider>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<CostGovernanceChatClient>());

            // Created by the factory rather than read from IOptionsMonitor, whose Get throws after an invalid reload:
            // the client follows the same change tokens itself and keeps the last valid options.
            IOptionsFactory<CostGovernanceOptions>? factory = services.GetService<IOptionsFactory<CostGovernanceOptions>>();
            CostGovernanceOptions initial = Complete(factory?.Create(optionsName) ?? new CostGovernanceOptions());
            if (factory is null)
            {
                return Build(initial);
            }

            IOptionsChangeTokenSource<CostGovernanceOptions>[] sources =
                [.. services.GetServices<IOptionsChangeTokenSource<CostGovernanceOptions>>().Where(s => string.Equals(s.Name ?? Options.Options.DefaultName, optionsName, StringComparison.Ordinal))];
            if (sources.Length == 0)
            {
                return Build(initial);
            }

            return new ReloadingCostGovernanceChatClient(
                innerClient,
                optionsName,
                initial,
                factory,
                sources,
                Complete,
                Build,
                services.GetService<ILoggerFactory>()?.CreateLogger<CostGovernanceChatClient>());
        });
    }
}
