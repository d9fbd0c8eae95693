using AiCostGuard;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes an OpenTelemetry tracer provider to AiCostGuard's spans.</summary>
public static class AiCostGuardTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="CostGovernanceTelemetry.SourceName"/> activity source: run spans of <see cref="BudgetScope"/>,
    /// and a cost span per model call when Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> is not in the pipeline.
    /// With it, add its source (<see cref="CostGovernanceTelemetry.ExtensionsAISourceName"/> by default) too: cost then goes on its <c>chat</c> spans.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddAiCostGuardInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(CostGovernanceTelemetry.SourceName);
    }
}
