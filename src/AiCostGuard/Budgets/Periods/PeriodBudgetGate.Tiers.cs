using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>The budget tiers of the period budgets: read each tiered window's spend so far, notify what is newly reached, refuse where a tier says so.</summary>
internal sealed partial class PeriodBudgetGate
{
    private readonly Action<BudgetTierEventArgs, CostAttribution>? _onTierReached;
    private readonly DegradeLadder? _ladder;
    private readonly bool _tiered;

    /// <summary>
    /// Reads the committed spend of every window with tiers (one store read each; the in-memory store answers
    /// synchronously), notifies the tiers reached for the first time in the window, and adds up what the reached
    /// tiers do to the call.
    /// </summary>
    /// <exception cref="BudgetExceededException">A reached tier refuses calls (not in shadow mode, where it is the hold's breach).</exception>
    private async ValueTask<TierVerdict?> ReadTiersAsync(PeriodHold hold, GateDemand demand, DateTimeOffset now, CancellationToken cancellationToken)
    {
        TierVerdict? verdict = null;
        for (int i = 0; i < _budgets.Length; i++)
        {
            if (_budgets[i].Tiers is not { } ladder)
            {
                continue;
            }

            BudgetWindow window = hold.Windows[i];
            BudgetWindowUsage usage = await _store.GetUsageAsync(window, cancellationToken);
            int reached = ladder.Reached(usage.Committed, _budgets[i].Limits, out decimal share, out BudgetLimitKind kind);
            if (reached == 0)
            {
                ladder.Mark(in window, 0);
                continue;
            }

            for (int fresh = ladder.Mark(in window, reached), t = 0; fresh != 0; fresh >>= 1, t++)
            {
                if ((fresh & 1) != 0)
                {
                    Notify(ladder, ladder[t], in window, share, now, demand.Attribution);
                }
            }

            TierVerdict found = ladder.Verdict(reached, _mode)!;
            if (found.Refuses)
            {
                var refusal = new BudgetExceededException(kind, Ceilings.Limit(_budgets[i].Limits, kind) ?? 0m, Ceilings.Amount(usage.Committed, kind), window.Key, demand.ModelId, found.RefusingTier!.NameIn(ladder.BudgetName))
                {
                    RetryAt = window.End,
                };
                if (_mode != EnforcementMode.Shadow)
                {
                    throw refusal;
                }

                hold.ShadowBreach ??= refusal;
            }

            verdict = verdict is null ? found : verdict.With(found);
        }

        return verdict;
    }

    private void Notify(TierLadder ladder, BudgetTier tier, in BudgetWindow window, decimal share, DateTimeOffset now, CostAttribution attribution)
    {
        string name = tier.NameIn(ladder.BudgetName);
        double used = (double)Math.Min(share * 100m, 1_000_000m);
        Log.TierReached(_logger, name, window.Key, used, tier.Action);
        try
        {
            _onTierReached?.Invoke(new BudgetTierEventArgs(ladder.BudgetName, window.Key, name, tier.Percent, tier.Action, used, window.Start, window.End, now), attribution);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A handler that throws must not fail a call the budget admits, nor keep the other tiers from being told.
            Log.TierHandlerFailed(_logger, name, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(120, LogLevel.Warning, "Budget tier '{Tier}' reached for '{Key}': {UsedPercent:0.#} % of the limit spent; action {Action}.")]
        public static partial void TierReached(ILogger logger, string tier, string key, double usedPercent, BudgetTierAction action);

        [LoggerMessage(121, LogLevel.Error, "A handler of budget tier '{Tier}' threw.")]
        public static partial void TierHandlerFailed(ILogger logger, string tier, Exception exception);
    }
}
