using Microsoft.Agents.AI;

namespace AiCostGuard.AgentFramework;

/// <summary>Carries a run's own attribution in its <see cref="AgentRunOptions"/>.</summary>
public static class AgentRunOptionsCostExtensions
{
    internal const string AttributionKey = "aicostguard.attribution";

    /// <summary>Books the run these options start to <paramref name="attribution"/>, over the agent's and the ambient attribution.</summary>
    /// <param name="options">The run options.</param>
    /// <param name="attribution">Who the run is for.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static AgentRunOptions WithCostAttribution(this AgentRunOptions options, CostAttribution attribution)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attribution);
        (options.AdditionalProperties ??= [])[AttributionKey] = attribution;
        return options;
    }

    internal static CostAttribution? CostAttribution(this AgentRunOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(AttributionKey, out object? value) ? value as CostAttribution : null;
}
