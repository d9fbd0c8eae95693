using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace AiCostGuard;

/// <summary>
/// Prices a prompt once Semantic Kernel has rendered it, before any model call, and denies it when its run cannot pay
/// for it: the quote of the governed <c>IChatClient</c> the kernel uses
/// (<see cref="CostGovernanceChatClient.Quote(IEnumerable{ChatMessage}, ChatOptions?)"/>) against the ambient
/// <see cref="BudgetScope"/> and the per-request ceilings.
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="RunLimitAction.Stop"/>, a prompt whose worst case does not fit is denied and
/// <see cref="BudgetExceededException"/> is thrown. With the other actions the model call could still be sent as a
/// final, clamped turn, so a prompt is denied only when not even its input fits; its function then returns a result
/// that says why instead of calling the model. Every denial is recorded in the ledger.
/// </para>
/// <para>
/// Without a <see cref="BudgetScope"/>, or when the kernel's chat service is not governed, the filter passes the
/// prompt on. This type is thread-safe.
/// </para>
/// </remarks>
public sealed class CostGovernancePromptRenderFilter : IPromptRenderFilter
{
    private readonly KernelCostGovernanceOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; copied. <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for ledger timestamps; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    public CostGovernancePromptRenderFilter(KernelCostGovernanceOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = KernelOptions.Checked(options);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <exception cref="BudgetExceededException">The prompt does not fit its budget and the run limit action is <see cref="RunLimitAction.Stop"/>.</exception>
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context);
        if (!_options.EnablePromptPreflight || context.Result is not null || context.RenderedPrompt is not { } prompt
            || BudgetScope.Current is not { } scope || KernelGovernance.Find(context.Kernel) is not { } governance)
        {
            return;
        }

        ChatMessage[] messages = [new(ChatRole.User, prompt)];
        ChatOptions? options = context.ExecutionSettings?.ToChatOptions(context.Kernel);
        CostQuote quote = governance.Quote(messages, options);
        if (quote.Decision != BudgetDecision.Rejected)
        {
            return;
        }

        if (_options.RunLimitAction != RunLimitAction.Stop)
        {
            ChatOptions least = options?.Clone() ?? new ChatOptions();
            least.MaxOutputTokens = 1;
            if (governance.Quote(messages, least).Decision != BudgetDecision.Rejected)
            {
                return;
            }
        }

        BudgetExceededException denial = Breach(scope, quote);
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"prompt of function '{KernelOptions.NameOf(context.Function)}' not sent: its worst case ({(quote.WorstCaseCost is { } cost ? "$" + cost.ToString("0.######", CultureInfo.InvariantCulture) : "unpriced")}, {quote.InputTokens} input tokens) does not fit budget '{denial.BudgetName}'");
        KernelGovernance.RecordRefusal(KernelGovernance.Ledger(_options, context.Kernel, governance), governance, _time, quote.ModelId, context.IsStreaming, reason, denial.LimitKind, denial.BudgetName, quote.InputTokens);
        if (_options.RunLimitAction == RunLimitAction.Stop)
        {
            throw denial;
        }

        context.Result = new FunctionResult(context.Function, $"Not sent: {reason}.");
    }

    /// <summary>The scope whose ceiling of the quoted kind has the least room, as an exception that names it.</summary>
    private static BudgetExceededException Breach(BudgetScope scope, CostQuote quote)
    {
        BudgetLimitKind kind = quote.LimitKind ?? BudgetLimitKind.Cost;
        bool isCeiling = Ceilings.IsCeiling(kind);
        decimal requested = isCeiling
            ? Ceilings.Amount(new BudgetUsage(quote.InputTokens, quote.MaximumOutputTokens, quote.WorstCaseCost ?? 0), kind)
            : 1;
        (decimal limit, decimal used, string name)? tightest = null;
        for (BudgetScope? s = scope; s is not null; s = s.Parent)
        {
            BudgetUsage spent = s.Spent + s.Reserved;
            (decimal? limit, decimal used) = isCeiling
                ? (Ceilings.Limit(s.Limits, kind), Ceilings.Amount(spent, kind))
                : kind == BudgetLimitKind.ModelCalls ? (s.Limits.MaximumModelCalls, s.ModelCallCount) : ((decimal?)null, 0m);
            if (limit is { } l && (tightest is null || l - used < tightest.Value.limit - tightest.Value.used))
            {
                tightest = (l, used, s.Name);
            }
        }

        (decimal limitValue, decimal usedValue, string budget) = tightest ?? (0m, 0m, "request");
        return new BudgetExceededException(kind, limitValue, usedValue, requested, budget, quote.ModelId);
    }
}
