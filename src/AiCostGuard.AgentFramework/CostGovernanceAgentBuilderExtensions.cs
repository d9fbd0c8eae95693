using System.Runtime.CompilerServices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AiCostGuard.AgentFramework;

/// <summary>Adds AiCostGuard's run governance to a Microsoft Agent Framework agent.</summary>
public static class CostGovernanceAgentBuilderExtensions
{
    /// <summary>
    /// Governs each run of the agent: a <see cref="BudgetScope"/> per run (its <see cref="AgentCostGovernanceOptions.RunLimits"/>,
    /// attributed from the options and the run's <see cref="AgentRunOptionsCostExtensions.WithCostAttribution"/>), and
    /// every tool call of the agent's own tool loop counted against the run's tool caps — a call past a cap is not run,
    /// the model is told so, and the refusal is recorded.
    /// </summary>
    /// <param name="builder">The agent builder, from <c>agent.AsBuilder()</c>.</param>
    /// <param name="configure">Sets the run's budget.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>
    /// <para>
    /// The agent must be built on a chat client governed by <c>UseCostGovernance()</c>, which prices, budgets and records
    /// each model call of the run; the agent's own function-invocation loop wraps that client, so it sees every model
    /// call. Built on an ungoverned client, <c>Build()</c> throws: a run would otherwise count nothing.
    /// </para>
    /// <para>
    /// A sub-agent exposed to this one with <c>AsAIFunction()</c> runs inside the tool call, on the parent run's flow: its
    /// model calls and its own run scope are charged to the parent run, although only its text comes back.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The run limits are invalid; the message lists every problem.</exception>
    public static AIAgentBuilder UseCostGovernance(this AIAgentBuilder builder, Action<AgentCostGovernanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AgentCostGovernanceOptions();
        configure?.Invoke(options);
        IReadOnlyList<string> problems = options.RunLimits.Validate($"{nameof(AgentCostGovernanceOptions.RunLimits)}.");
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid agent cost governance options: " + string.Join("; ", problems), nameof(configure));
        }

        var run = new AgentRunGovernance(options);
        return builder
            .Use((messages, session, runOptions, inner, cancellationToken) => run.RunAsync(messages, session, runOptions, inner, cancellationToken), run.RunStreamingAsync)
            .Use(AgentRunGovernance.InvokeToolAsync)
            .Use(inner => AgentRunGovernance.Governed(inner));
    }

    /// <summary>The run and function middleware, sharing the options.</summary>
    private sealed class AgentRunGovernance(AgentCostGovernanceOptions options)
    {
        private readonly BudgetLimits _limits = options.RunLimits.Clone();

        public static AIAgent Governed(AIAgent agent)
        {
            if (Governance(agent) is null)
            {
                throw new InvalidOperationException(
                    $"Agent '{agent.Name ?? agent.Id}' is not built on a chat client governed by UseCostGovernance(): its runs would count nothing. " +
                    "Build it on new ChatClientBuilder(client).UseCostGovernance().Build().AsAIAgent(...).");
            }

            return agent;
        }

        public async Task<AgentResponse> RunAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? runOptions, AIAgent inner, CancellationToken cancellationToken)
        {
            using AttributionScope? attribution = Attribute(runOptions);
            using BudgetScope run = Begin(inner);
            return await inner.RunAsync(messages, session, runOptions, cancellationToken);
        }

        public async IAsyncEnumerable<AgentResponseUpdate> RunStreamingAsync(
            IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? runOptions, AIAgent inner, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // A stream's steps run on its consumer's flow: the run's scope and attribution are made ambient again for each.
            CostAttribution? attribution = Layered(runOptions);
            BudgetScope run;
            IAsyncEnumerator<AgentResponseUpdate> updates;
            using (attribution is null ? null : (AttributionScope?)CostAttribution.Begin(attribution))
            {
                run = Begin(inner);
                updates = inner.RunStreamingAsync(messages, session, runOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }

            try
            {
                while (await StepAsync(updates, run, attribution))
                {
                    yield return updates.Current;
                }
            }
            finally
            {
                await updates.DisposeAsync();
                run.Dispose();
            }
        }

        public static ValueTask<object?> InvokeToolAsync(AIAgent agent, FunctionInvocationContext context, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>> next, CancellationToken cancellationToken) =>
            Governance(agent) is { } governance
                ? governance.InvokeToolAsync(context, next, cancellationToken)
                : next(context, cancellationToken);

        private static async ValueTask<bool> StepAsync(IAsyncEnumerator<AgentResponseUpdate> updates, BudgetScope run, CostAttribution? attribution)
        {
            BudgetScope.Resume(run);
            using (attribution is null ? null : (AttributionScope?)CostAttribution.Begin(attribution))
            {
                return await updates.MoveNextAsync();
            }
        }

        private static CostGovernanceChatClient? Governance(AIAgent agent) =>
            agent.GetService<CostGovernanceChatClient>() ?? agent.GetService<IChatClient>()?.GetService<CostGovernanceChatClient>();

        private BudgetScope Begin(AIAgent inner)
        {
            // The scope's own run caps are those of the options; an enclosing run (a parent agent) still bounds it.
            return BudgetScope.Begin(_limits, options.RunName ?? inner.Name ?? "agent-run", options.TimeProvider);
        }

        private AttributionScope? Attribute(AgentRunOptions? runOptions) =>
            Layered(runOptions) is { } attribution ? CostAttribution.Begin(attribution) : null;

        private CostAttribution? Layered(AgentRunOptions? runOptions)
        {
            CostAttribution? own = runOptions.CostAttribution();
            CostAttribution? configured = options.Attribution;
            return own is null ? configured : configured is null ? own : own.Over(configured);
        }
    }
}
