using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <content>Period budgets and spend velocity: admitted after the scopes, settled with them.</content>
public sealed partial class CostGovernanceChatClient
{
    private readonly PeriodBudgetGate? _periods;

    /// <summary>
    /// Occurs when a call finds the spend rate of its attribution key above a <see cref="SpendVelocityRule"/>'s
    /// threshold, whatever the rule's action (alert, throttle or block), before the action is taken.
    /// </summary>
    /// <remarks>Raised synchronously on the calling flow, possibly from many calls at once: handlers must be thread-safe and quick.</remarks>
    public event EventHandler<SpendVelocityEventArgs>? SpendVelocityExceeded;

    /// <summary>Gets the store period budgets keep their spend in; <see langword="null"/> when no period budget or velocity rule is configured.</summary>
    public IBudgetStore? BudgetStore => _periods?.Store;

    private void OnSpendVelocityExceeded(SpendVelocityEventArgs alert)
    {
        // Rule names come from configuration and windows and actions are enums: the tags stay bounded. The key does not.
        if (CostGovernanceTelemetry.SpendVelocityExceeded.Enabled)
        {
            var tags = new System.Diagnostics.TagList
            {
                { "aicostguard.spend_velocity.rule", alert.RuleName },
                { "aicostguard.spend_velocity.window", alert.Window.ToString() },
                { "aicostguard.spend_velocity.action", alert.Action.ToString() },
            };
            CostGovernanceTelemetry.SpendVelocityExceeded.Add(1, tags);
        }

        if (System.Diagnostics.Activity.Current is { IsAllDataRequested: true } span)
        {
            span.AddEvent(new System.Diagnostics.ActivityEvent(CostGovernanceTelemetry.SpendVelocityEventName, tags: new System.Diagnostics.ActivityTagsCollection
            {
                ["aicostguard.spend_velocity.rule"] = alert.RuleName,
                ["aicostguard.spend_velocity.key"] = alert.Key,
                ["aicostguard.spend_velocity.window"] = alert.Window.ToString(),
                ["aicostguard.spend_velocity.cost"] = (double)alert.Cost,
                ["aicostguard.spend_velocity.threshold"] = (double)alert.Threshold,
                ["aicostguard.spend_velocity.action"] = alert.Action.ToString(),
            }));
        }

        SpendVelocityExceeded?.Invoke(this, alert);
    }

    private async ValueTask<(Admission Admission, PeriodHold Hold)> AdmitPeriodsAsync(Admission admission, CancellationToken cancellationToken)
    {
        // The scope gate holds nothing when no scope is open, so the worst case is priced here from what was admitted.
        bool mayClamp = _overBudgetAction == OverBudgetAction.Clamp || admission.Verdict.Decision == BudgetDecision.FinalTurn;
        var demand = new PeriodDemand(admission.ReservedInput, admission.OutputTokens, admission.Profile.Price, mayClamp, _minimumClampedOutput);
        PeriodHold hold;
        try
        {
            hold = await _periods!.AdmitAsync(admission.Attribution, demand, admission.Profile.ModelId, cancellationToken);
        }
        catch (Exception e)
        {
            // The scopes reserved the call's worst case; it is not sent, so that is released in full.
            admission.Scope?.Settle(admission.Verdict.Reserved, default);
            var refusal = e as BudgetExceededException;
            Record(new CostRecord
            {
                Timestamp = _time.GetUtcNow(),
                Attribution = admission.Attribution,
                ScopeName = admission.Scope?.Name,
                ScopeId = admission.Scope?.Id,
                ModelId = admission.Profile.ModelId,
                Provider = _provider,
                IsStreaming = admission.IsStreaming,
                EstimatedInputTokens = admission.Estimate.Tokens,
                EstimatePrecision = admission.Estimate.Precision,
                CostSource = admission.Profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
                Decision = BudgetDecision.Rejected,
                LimitKind = refusal?.LimitKind,
                LimitBudget = refusal?.BudgetName,
                MaximumOutputTokens = admission.OutputTokens,
                Outcome = e is OperationCanceledException ? CallOutcome.Cancelled : CallOutcome.NotSent,
                RefusalReason = e.Message,
            }, admission.Scope);
            Log.Rejected(_logger, admission.Profile.ModelId, e.Message);
            throw;
        }

        if (hold.ShadowBreach is { } breach && admission.Verdict.Decision is not BudgetDecision.ShadowRejected)
        {
            var refusal = breach as BudgetExceededException;
            admission = admission with
            {
                Verdict = admission.Verdict with
                {
                    Decision = BudgetDecision.ShadowRejected,
                    LimitKind = refusal?.LimitKind,
                    LimitBudget = refusal?.BudgetName ?? (breach as SpendVelocityExceededException)?.RuleName,
                },
            };
        }

        if (hold.ClampedOutput is { } clamped)
        {
            // The period budgets pay for less output than the call asked: send it with that much, and cut a stream there.
            ChatOptions sent = admission.Options?.Clone() ?? new ChatOptions();
            sent.MaxOutputTokens = checked((int)Math.Min(int.MaxValue, clamped));
            admission = admission with
            {
                Options = sent,
                OutputTokens = clamped,
                EnforceOutputCeiling = true,
                Verdict = admission.Verdict with
                {
                    Decision = admission.Verdict.Decision == BudgetDecision.Allowed ? BudgetDecision.Clamped : admission.Verdict.Decision,
                    OutputTokens = clamped,
                    LimitKind = hold.ClampKind,
                    LimitBudget = hold.ClampBudget,
                },
            };
        }

        return (admission, hold);
    }

    private ValueTask SettlePeriodsAsync(PeriodHold? hold, BudgetUsage actual) =>
        hold is null ? default : _periods!.SettleAsync(hold, actual);
}
