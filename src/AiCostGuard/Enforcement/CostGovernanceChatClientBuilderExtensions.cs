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
    /// <para>Services used when registered: <see cref="IOptions{TOptions}"/> of <see cref="CostGovernanceOptions"/>,
    /// <see cref="ICostLedger"/>, <see cref="IBudgetStore"/>, <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>.</para>
    /// <para>Order: place it after (inside) <c>UseOpenTelemetry()</c> to put cost on the model call's span, and after
    /// (inside) <c>UseFunctionInvocation()</c> to budget every model call of a tool loop.</para>
    /// </remarks>
    public static ChatClientBuilder UseCostGovernance(this ChatClientBuilder builder, Action<CostGovernanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            CostGovernanceOptions options = services.GetService<IOptions<CostGovernanceOptions>>()?.Value.Clone() ?? new CostGovernanceOptions();
            configure?.Invoke(options);
            options.Ledger ??= services.GetService<ICostLedger>();
            options.BudgetStore ??= services.GetService<IBudgetStore>();
            return new CostGovernanceChatClient(
                innerClient,
                options,
                services.GetService<TimeProvider>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<CostGovernanceChatClient>());
        });
    }
}
