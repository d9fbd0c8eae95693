using Microsoft.SemanticKernel;

namespace AiCostGuard;

/// <summary>
/// Books every kernel function's invocations and the model calls made while it runs to that function: it counts the
/// invocation in <see cref="KernelFunctionCallCounts"/> and makes the attribution tag
/// <see cref="KernelCostGovernanceOptions.FunctionTag"/> = <c>Plugin.Function</c> ambient around the call, so the
/// governed <c>IChatClient</c> records each of those model calls, with its cost, under the function's name.
/// </summary>
/// <remarks>
/// Functions nest (a prompt function whose model asks for tools, a tool that calls a model): the innermost function
/// wins, so each model call is booked once, to the function that made it. When
/// <see cref="CostGovernanceAutoFunctionInvocationFilter"/> stops a run hard inside the outermost function, this
/// filter throws its <see cref="BudgetExceededException"/> out of the kernel call. This type is thread-safe.
/// </remarks>
public sealed class CostGovernanceFunctionInvocationFilter : IFunctionInvocationFilter
{
    private readonly KernelFunctionCallCounts _counts;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="counts">Where invocations are counted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> is <see langword="null"/>.</exception>
    public CostGovernanceFunctionInvocationFilter(KernelFunctionCallCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        _counts = counts;
    }

    /// <inheritdoc/>
    /// <exception cref="BudgetExceededException">A cap stopped the run inside the function (see <see cref="CostGovernanceAutoFunctionInvocationFilter"/>).</exception>
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        string name = KernelOptions.NameOf(context.Function);
        _counts.Increment(name);
        KernelRunStop? stop = KernelRunStop.BeginOutermost();
        try
        {
            using (CostAttribution.Begin(new CostAttribution { Tags = new Dictionary<string, string>(1) { [KernelCostGovernanceOptions.FunctionTag] = name } }))
            {
                await next(context);
            }
        }
        finally
        {
            KernelRunStop.End(stop);
        }

        if (stop?.Refusal is { } refusal)
        {
            throw refusal;
        }
    }
}
