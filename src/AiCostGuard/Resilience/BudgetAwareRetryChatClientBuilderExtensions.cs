using AiCostGuard;
using Microsoft.Extensions.DependencyInjection;
using Polly.Retry;

namespace Microsoft.Extensions.AI;

/// <summary>Adds budget-aware retries to a chat client pipeline.</summary>
public static class BudgetAwareRetryChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="BudgetAwareRetryChatClient"/>: transient provider failures are retried, each attempt admitted,
    /// charged and recorded by the governance inside it, and none started when the budget cannot pay its worst case.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Changes the retry strategy, which starts from <see cref="BudgetAwareRetryChatClient.CreateDefaultOptions"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>Order: before (outside) <c>UseCostGovernance()</c> —
    /// <c>builder.UseBudgetAwareRetry().UseCostGovernance()</c>; in a tool loop,
    /// <c>builder.UseFunctionInvocation().UseBudgetAwareRetry().UseCostGovernance()</c> retries each model call of the loop.
    /// Built in the wrong order, the pipeline throws <see cref="InvalidOperationException"/>.</para>
    /// <para>Services used when registered: <see cref="TimeProvider"/>. Streaming calls are not retried.</para>
    /// </remarks>
    public static ChatClientBuilder UseBudgetAwareRetry(this ChatClientBuilder builder, Action<RetryStrategyOptions<ChatResponse>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            RetryStrategyOptions<ChatResponse> options = BudgetAwareRetryChatClient.CreateDefaultOptions();
            configure?.Invoke(options);
            return new BudgetAwareRetryChatClient(innerClient, options, services.GetService<TimeProvider>());
        });
    }
}
