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
            CostGovernanceOptions options = Copy(services.GetService<IOptions<CostGovernanceOptions>>()?.Value);
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

    private static CostGovernanceOptions Copy(CostGovernanceOptions? registered)
    {
        var copy = new CostGovernanceOptions();
        if (registered is null)
        {
            return copy;
        }

        copy.RequestLimits = registered.RequestLimits?.Clone()!;
        copy.OverBudgetAction = registered.OverBudgetAction;
        copy.MinimumClampedOutputTokens = registered.MinimumClampedOutputTokens;
        copy.Mode = registered.Mode;
        copy.RequiredAttribution = registered.RequiredAttribution;
        copy.UnattributedCalls = registered.UnattributedCalls;
        copy.UnknownModels = registered.UnknownModels;
        copy.DefaultMaximumOutputTokens = registered.DefaultMaximumOutputTokens;
        copy.Catalog = registered.Catalog;
        copy.Ledger = registered.Ledger;
        copy.Telemetry = registered.Telemetry?.Clone()!;
        copy.RunLimitAction = registered.RunLimitAction;
        copy.ConcurrencyLimitAction = registered.ConcurrencyLimitAction;
        foreach (string model in registered.DegradeModels)
        {
            copy.DegradeModels.Add(model);
        }

        copy.BudgetStore = registered.BudgetStore;
        foreach (PeriodBudgetOptions budget in registered.PeriodBudgets)
        {
            copy.PeriodBudgets.Add(budget);
        }

        foreach (SpendVelocityRule rule in registered.SpendVelocity)
        {
            copy.SpendVelocity.Add(rule);
        }

        foreach (KeyValuePair<string, ModelPrice> price in registered.Prices)
        {
            copy.Prices[price.Key] = price.Value;
        }

        return copy;
    }
}
