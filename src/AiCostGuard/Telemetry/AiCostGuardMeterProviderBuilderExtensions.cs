using AiCostGuard;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry meter provider to AiCostGuard's metrics.</summary>
public static class AiCostGuardMeterProviderBuilderExtensions
{
    /// <summary>Adds the <see cref="CostGovernanceTelemetry.SourceName"/> meter: cost, budget decisions, estimate error, budget remaining and ledger health.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddAiCostGuardInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(CostGovernanceTelemetry.SourceName);
    }
}
