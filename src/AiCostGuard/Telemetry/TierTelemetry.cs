using System.Diagnostics;

namespace AiCostGuard;

/// <summary>Puts a budget tier reached on the library's metric and the current span, then raises the client's event.</summary>
internal static class TierTelemetry
{
    public static void Report(object sender, BudgetTierEventArgs reached, EventHandler<BudgetTierEventArgs>? handlers)
    {
        // Budget names and shares come from configuration and actions are an enum: the tags stay bounded. The key does not.
        if (CostGovernanceTelemetry.BudgetTiersReached.Enabled)
        {
            var tags = new TagList
            {
                { CostGovernanceTelemetry.BudgetTierAttribute, reached.Tier },
                { "aicostguard.budget.tier.action", RecordNames.Name(reached.Action) },
            };
            CostGovernanceTelemetry.BudgetTiersReached.Add(1, tags);
        }

        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.AddEvent(new ActivityEvent(CostGovernanceTelemetry.BudgetTierEventName, tags: new ActivityTagsCollection
            {
                [CostGovernanceTelemetry.BudgetTierAttribute] = reached.Tier,
                ["aicostguard.budget.tier.key"] = reached.Key,
                ["aicostguard.budget.tier.used_percent"] = reached.UsedPercent,
                ["aicostguard.budget.tier.action"] = RecordNames.Name(reached.Action),
            }));
        }

        handlers?.Invoke(sender, reached);
    }
}
