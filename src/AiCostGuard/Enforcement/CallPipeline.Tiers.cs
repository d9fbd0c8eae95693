using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>What the pipeline does when a budget tier is first reached in a window: a ledger marker, then telemetry and the client's event.</summary>
internal sealed partial class CallPipeline
{
    private Action<BudgetTierEventArgs, CostAttribution> TierNotifier(Action<BudgetTierEventArgs>? report) => (reached, attribution) =>
    {
        // Written to the ledger directly: observing it would put a marker's decision on the span of the call that found it.
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
        try
        {
            Recorder.Ledger.Record(in marker);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CostLedgerTotals.AddDropped(1);
            TierLog.MarkerLost(_logger, reached.Tier, e);
        }

        report?.Invoke(reached);
    };

    private static partial class TierLog
    {
        [LoggerMessage(9, LogLevel.Error, "The ledger did not take the marker of budget tier '{Tier}'; it is counted as dropped.")]
        public static partial void MarkerLost(ILogger logger, string tier, Exception exception);
    }
}
