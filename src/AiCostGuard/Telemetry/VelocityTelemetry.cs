using System.Diagnostics;

namespace AiCostGuard;

/// <summary>Puts a spend-velocity alert on the library's metric and the current span, then raises the client's event.</summary>
internal static class VelocityTelemetry
{
    public static void Report(object sender, SpendVelocityEventArgs alert, EventHandler<SpendVelocityEventArgs>? handlers)
    {
        // Rule names come from configuration and windows and actions are enums: the tags stay bounded. The key does not.
        if (CostGovernanceTelemetry.SpendVelocityExceeded.Enabled)
        {
            var tags = new TagList
            {
                { "aicostguard.spend_velocity.rule", alert.RuleName },
                { "aicostguard.spend_velocity.window", RecordNames.Name(alert.Window) },
                { "aicostguard.spend_velocity.action", RecordNames.Name(alert.Action) },
            };
            CostGovernanceTelemetry.SpendVelocityExceeded.Add(1, tags);
        }

        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.AddEvent(new ActivityEvent(CostGovernanceTelemetry.SpendVelocityEventName, tags: new ActivityTagsCollection
            {
                ["aicostguard.spend_velocity.rule"] = alert.RuleName,
                ["aicostguard.spend_velocity.key"] = alert.Key,
                ["aicostguard.spend_velocity.window"] = RecordNames.Name(alert.Window),
                ["aicostguard.spend_velocity.cost"] = (double)alert.Cost,
                ["aicostguard.spend_velocity.threshold"] = (double)alert.Threshold,
                ["aicostguard.spend_velocity.action"] = RecordNames.Name(alert.Action),
            }));
        }

        handlers?.Invoke(sender, alert);
    }
}
