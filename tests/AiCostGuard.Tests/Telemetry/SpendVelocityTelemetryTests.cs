using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Telemetry;

public sealed class SpendVelocityTelemetryTests
{
    [Fact]
    public async Task A_crossed_spend_velocity_rule_is_counted_and_put_on_the_current_span()
    {
        using var telemetry = new TelemetryHarness();
        decimal perCall = PriceCatalog.Default.Models["gpt-4o-mini"].GetCost(new TokenUsage(100, 20));
        var options = new CostGovernanceOptions();
        options.SpendVelocity.Add(new SpendVelocityRule
        {
            Name = "telemetry-runaway",
            Dimensions = AttributionDimensions.Team,
            Window = SpendVelocityWindow.Hour,
            MaximumCost = perCall / 2,
            Action = SpendVelocityAction.Alert,
        });
        var client = new CostGovernanceChatClient(new FakeChatClient(), options, new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero)));

        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await client.GetResponseAsync(Governed.Prompt());
            await client.GetResponseAsync(Governed.Prompt());
        }

        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.SpendVelocityMetric, ("aicostguard.spend_velocity.rule", "telemetry-runaway"), ("aicostguard.spend_velocity.action", "Alert")));
        System.Diagnostics.ActivityEvent alert = Assert.Single(telemetry.Root.Events, e => e.Name == CostGovernanceTelemetry.SpendVelocityEventName);
        Assert.Equal("team=search", alert.Tags.Single(t => t.Key == "aicostguard.spend_velocity.key").Value);
        Assert.Equal((double)perCall, alert.Tags.Single(t => t.Key == "aicostguard.spend_velocity.cost").Value);
    }
}
