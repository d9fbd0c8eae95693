using AiCostGuard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds cost governance to an embedding generator pipeline.</summary>
public static class CostGovernanceEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="CostGovernanceEmbeddingGenerator"/> to the pipeline: every call is attributed, its inputs counted,
    /// priced and checked against its budgets before it is sent, and recorded with its real cost after.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Changes the options; it runs on a copy of the <see cref="CostGovernanceOptions"/> registered
    /// in the service provider (see <c>AddCostGovernance</c>), or on the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>The options are validated when the pipeline is built; invalid options throw one
    /// <see cref="OptionsValidationException"/> listing every problem. They are read once: an embeddings pipeline does not
    /// follow a reload of its configuration.</para>
    /// <para>Services used when registered: <see cref="IOptionsFactory{TOptions}"/> of <see cref="CostGovernanceOptions"/>,
    /// <see cref="ICostLedger"/>, <see cref="IBudgetStore"/>, <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>, so
    /// that chat and embeddings calls share one ledger and one set of period budgets.</para>
    /// </remarks>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseCostGovernance(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<CostGovernanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            CostGovernanceOptions options = (services.GetService<IOptionsFactory<CostGovernanceOptions>>()?.Create(Options.Options.DefaultName) ?? new CostGovernanceOptions()).Clone();
            configure?.Invoke(options);
            options.Ledger ??= services.GetService<ICostLedger>();
            options.BudgetStore ??= services.GetService<IBudgetStore>();
            return new CostGovernanceEmbeddingGenerator(
                inner,
                options,
                services.GetService<TimeProvider>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<CostGovernanceEmbeddingGenerator>());
        });
    }
}
