namespace AiCostGuard;

/// <summary>What the pipeline does when a budget tier is first reached in a window: a ledger marker, then telemetry and the client's event.</summary>
internal sealed partial class CallPipeline
{
    private Action<BudgetTierEventArgs, CostAttribution> TierNotifier(Action<BudgetTierEventArgs>? report) => (reached, attribution) =>
    {
        // Written without being observed: observing it would put a marker's decision on the span of the call that found it.
        var marker = new CostRecord
        {
            Timestamp = reached.Timestamp,
            Attribution = attribution,
            Provider = Recorder.Provider,
            CostSource = CostSource.Estimated,
            Decision = BudgetDecision.TierReached,
            LimitBudget = reached.Key,
            Outcome = CallOutcome.NotSent,
            BudgetTier = reached.Tier,
        };
        Recorder.Write(in marker);

        report?.Invoke(reached);
    };
}
