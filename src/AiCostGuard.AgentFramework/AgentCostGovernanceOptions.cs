namespace AiCostGuard.AgentFramework;

/// <summary>Configures <see cref="CostGovernanceAgentBuilderExtensions.UseCostGovernance"/>: the budget each agent run gets.</summary>
/// <remarks>
/// The model calls themselves are governed by <c>UseCostGovernance()</c> on the <c>IChatClient</c> the agent is built
/// on; this middleware adds the run: one <see cref="BudgetScope"/> per <c>RunAsync</c> or <c>RunStreamingAsync</c>, whose
/// caps hold over the agent's own tool loop.
/// </remarks>
public sealed class AgentCostGovernanceOptions
{
    /// <summary>Gets or sets the ceilings and caps of each run: cost, tokens, model calls, tool calls, wall time.</summary>
    /// <value>The default sets none: a run is counted and charged, not limited.</value>
    public BudgetLimits RunLimits { get; set; } = new();

    /// <summary>Gets or sets the name of each run's scope, for errors and the ledger.</summary>
    /// <value>The default, <see langword="null"/>, uses the agent's name, else <c>agent-run</c>.</value>
    public string? RunName { get; set; }

    /// <summary>Gets or sets the attribution every run is booked to, layered over the ambient one and under a run's own.</summary>
    /// <value>The default, <see langword="null"/>, adds nothing to the ambient attribution.</value>
    public CostAttribution? Attribution { get; set; }

    /// <summary>Gets or sets the clock for the runs' wall-time caps.</summary>
    /// <value>The default, <see langword="null"/>, uses <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
