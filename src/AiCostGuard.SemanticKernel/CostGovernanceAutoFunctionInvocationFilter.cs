using System.Globalization;
using Microsoft.SemanticKernel;

namespace AiCostGuard;

/// <summary>
/// Counts every function Semantic Kernel invokes automatically (<c>FunctionChoiceBehavior.Auto()</c>) against the
/// tool caps of the ambient <see cref="BudgetScope"/>, and ends the loop when a cap is reached.
/// </summary>
/// <remarks>
/// <para>
/// A function call is refused when its scope chain has used up <see cref="BudgetLimits.MaximumToolCalls"/>, when it is
/// past <see cref="BudgetLimits.MaximumParallelToolCalls"/> in its step (<c>FunctionSequenceIndex</c>), or when
/// <see cref="BudgetLimits.MaximumModelCalls"/> leaves no step to read its result. A refusal is recorded in the ledger,
/// then the loop ends without another model call (<c>Terminate</c>), the function's result saying which cap was reached.
/// With <see cref="RunLimitAction.Stop"/> the kernel call then throws <see cref="BudgetExceededException"/> (through
/// <see cref="CostGovernanceFunctionInvocationFilter"/>, which <c>AddCostGovernance()</c> registers with it); with
/// the other actions it returns normally.
/// </para>
/// <para>Outside a <see cref="BudgetScope"/> the filter only passes the call on. This type is thread-safe.</para>
/// </remarks>
public sealed class CostGovernanceAutoFunctionInvocationFilter : IAutoFunctionInvocationFilter
{
    private readonly KernelCostGovernanceOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; copied. <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for ledger timestamps; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    public CostGovernanceAutoFunctionInvocationFilter(KernelCostGovernanceOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = KernelOptions.Checked(options);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <exception cref="BudgetExceededException">A cap refuses the call, the run limit action is <see cref="RunLimitAction.Stop"/> and no <see cref="CostGovernanceFunctionInvocationFilter"/> surrounds the kernel call.</exception>
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (BudgetScope.Current is not { } scope)
        {
            await next(context);
            return;
        }

        BudgetExceededException? refusal = StepsLeft(scope) ?? ToolCall(scope, context.FunctionSequenceIndex);
        if (refusal is null)
        {
            await next(context);
            return;
        }

        string name = KernelOptions.NameOf(context.Function);
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"function '{name}' (step {context.RequestSequenceIndex + 1}, call {context.FunctionSequenceIndex + 1} of {context.FunctionCount}) not run: the {Describe(refusal.LimitKind)} of budget '{refusal.BudgetName}' is {refusal.Limit:0.######}");
        CostGovernanceChatClient? governance = KernelGovernance.Find(context.Kernel);
        KernelGovernance.RecordRefusal(KernelGovernance.Ledger(_options, context.Kernel, governance), governance, _time, modelId: null, context.IsStreaming, reason, refusal.LimitKind, refusal.BudgetName);
        if (_options.RunLimitAction == RunLimitAction.Stop)
        {
            if (KernelRunStop.Current is not { } stop)
            {
                // Without the function filter around the kernel call the loop hands this to the model as the
                // function's error; the governed client then rejects the next model call.
                throw refusal;
            }

            stop.Refusal ??= refusal;
        }

        context.Result = new FunctionResult(context.Function, $"Stopped: {reason}.");
        context.Terminate = true;
    }

    private static string Describe(BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.ModelCalls => "model-call cap",
        BudgetLimitKind.ParallelToolCalls => "per-step tool-call cap",
        _ => "tool-call cap",
    };

    // A tool result is only worth its cost when a model call is left to read it.
    private static BudgetExceededException? StepsLeft(BudgetScope scope)
    {
        if (RunState.Of(scope).RemainingModelCalls is not <= 0)
        {
            return null;
        }

        for (BudgetScope? s = scope; s is not null; s = s.Parent)
        {
            if (s.Limits.MaximumModelCalls is { } cap && s.ModelCallCount >= cap)
            {
                return new BudgetExceededException(BudgetLimitKind.ModelCalls, cap, s.ModelCallCount, 1, s.Name, modelId: null);
            }
        }

        return null;
    }

    private static BudgetExceededException? ToolCall(BudgetScope scope, int indexInStep)
    {
        ToolCallVerdict verdict = scope.TryStartToolCall(indexInStep);
        return verdict.IsRefused
            ? new BudgetExceededException(verdict.Kind!.Value, verdict.Limit, verdict.Used, 1, verdict.Budget!, modelId: null)
            : null;
    }
}
