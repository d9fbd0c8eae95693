using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>Counts and caps the tool calls of a Microsoft.Extensions.AI tool loop against the ambient <see cref="BudgetScope"/>.</summary>
public static class ToolCallGovernanceExtensions
{
    /// <summary>
    /// Routes every tool call of <paramref name="client"/> through the run's tool caps: each call is counted in the
    /// ambient <see cref="BudgetScope"/> and its parents; a call past <see cref="BudgetLimits.MaximumToolCalls"/> or
    /// <see cref="BudgetLimits.MaximumParallelToolCalls"/> is not run — the model is told so — and recorded in the
    /// ledger; what happens next follows <see cref="CostGovernanceOptions.RunLimitAction"/>.
    /// </summary>
    /// <param name="client">The tool loop, built with a <see cref="CostGovernanceChatClient"/> inside it.</param>
    /// <returns><paramref name="client"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="CostGovernanceChatClient"/> is inside the tool loop.</exception>
    /// <remarks>
    /// Use it in the loop's configuration, with the governance inside the loop:
    /// <code>builder.UseFunctionInvocation(configure: loop => loop.GovernToolCalls()).UseCostGovernance()</code>.
    /// A <see cref="FunctionInvokingChatClient.FunctionInvoker"/> set before this call still runs, inside the caps.
    /// </remarks>
    public static FunctionInvokingChatClient GovernToolCalls(this FunctionInvokingChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        CostGovernanceChatClient governance = client.GetService<CostGovernanceChatClient>()
            ?? throw new InvalidOperationException(
                "GovernToolCalls() needs UseCostGovernance() inside the tool loop: builder.UseFunctionInvocation(configure: loop => loop.GovernToolCalls()).UseCostGovernance().");
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? invoker = client.FunctionInvoker;
        client.FunctionInvoker = (context, cancellationToken) => governance.InvokeToolAsync(context, invoker, cancellationToken);
        return client;
    }

    /// <summary>
    /// Adds the tool loop with <see cref="GovernToolCalls(FunctionInvokingChatClient)"/> applied, then
    /// <c>UseCostGovernance()</c> inside it: the one order in which both every model call and every tool call are governed.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configureLoop">Configures the tool loop.</param>
    /// <param name="configureGovernance">Configures the governance options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseGovernedFunctionInvocation(
        this ChatClientBuilder builder,
        Action<FunctionInvokingChatClient>? configureLoop = null,
        Action<CostGovernanceOptions>? configureGovernance = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .UseFunctionInvocation(configure: loop =>
            {
                configureLoop?.Invoke(loop);
                loop.GovernToolCalls();
            })
            .UseCostGovernance(configureGovernance);
    }
}
