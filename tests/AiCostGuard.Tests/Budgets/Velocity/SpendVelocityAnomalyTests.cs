using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Velocity;

public sealed class SpendVelocityAnomalyTests
{
    private static readonly decimal Actual = PriceCatalog.Default.Models["gpt-4o-mini"].GetCost(new TokenUsage(100, 20));
    private static readonly DateTimeOffset Start = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);

    private static (CostGovernanceChatClient Client, FakeTimeProvider Time, SpendVelocityRule Rule) Create(double? anomalyThreshold)
    {
        var time = new FakeTimeProvider(Start);
        var rule = new SpendVelocityRule
        {
            Name = "runaway",
            Dimensions = AttributionDimensions.Team,
            Window = SpendVelocityWindow.Minute,
            MaximumCost = 1000m,
            Action = SpendVelocityAction.Alert,
            AnomalyThreshold = anomalyThreshold,
        };
        var options = new CostGovernanceOptions { Ledger = new InMemoryCostLedger() };
        options.SpendVelocity.Add(rule);
        return (new CostGovernanceChatClient(new FakeChatClient(), options, time), time, rule);
    }

    private static async Task Minute(CostGovernanceChatClient client, FakeTimeProvider time, int calls, string team = "search")
    {
        using (CostAttribution.Begin(new CostAttribution { Team = team }))
        {
            for (int i = 0; i < calls; i++)
            {
                await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });
                time.Advance(TimeSpan.FromSeconds(50.0 / calls));
            }
        }

        time.SetUtcNow(Start.AddMinutes(Math.Ceiling((time.GetUtcNow() - Start).TotalMinutes)));
    }

    [Fact]
    public async Task A_window_far_above_the_keys_recent_windows_is_reported_at_the_keys_next_call()
    {
        (CostGovernanceChatClient client, FakeTimeProvider time, SpendVelocityRule rule) = Create(anomalyThreshold: 5);
        var anomalies = new List<(object? Sender, SpendAnomalyEventArgs Args)>();
        rule.AnomalyDetected += (sender, e) => anomalies.Add((sender, e));
        var random = new Random(7);
        for (int minute = 0; minute < 12; minute++)
        {
            await Minute(client, time, random.Next(3, 6));
        }

        DateTimeOffset burst = time.GetUtcNow();
        await Minute(client, time, 20);
        Assert.Empty(anomalies);

        await Minute(client, time, 1, team: "support");
        Assert.Empty(anomalies);
        await Minute(client, time, 4);

        (object? sender, SpendAnomalyEventArgs anomaly) = Assert.Single(anomalies);
        Assert.Same(rule, sender);
        Assert.Equal(("runaway", "team=search", SpendVelocityWindow.Minute, burst), (anomaly.RuleName, anomaly.Key, anomaly.Window, anomaly.WindowStart));
        Assert.Equal(20 * Actual, anomaly.Cost);
        Assert.InRange(anomaly.Expected, 3 * Actual, 5 * Actual);
        Assert.True(anomaly.Score >= 5, $"{anomaly.Score}");
    }

    [Fact]
    public async Task Ordinary_windows_and_a_rule_without_a_threshold_report_nothing()
    {
        (CostGovernanceChatClient quiet, FakeTimeProvider quietTime, SpendVelocityRule quietRule) = Create(anomalyThreshold: 5);
        (CostGovernanceChatClient off, FakeTimeProvider offTime, SpendVelocityRule offRule) = Create(anomalyThreshold: null);
        int reported = 0;
        quietRule.AnomalyDetected += (_, _) => reported++;
        offRule.AnomalyDetected += (_, _) => reported++;
        var random = new Random(8);
        for (int minute = 0; minute < 30; minute++)
        {
            await Minute(quiet, quietTime, random.Next(3, 6));
            await Minute(off, offTime, minute == 12 ? 30 : 4);
        }

        Assert.Equal(0, reported);
    }

    [Fact]
    public void A_threshold_below_one_is_refused_with_the_field_named()
    {
        var rule = new SpendVelocityRule { Name = "runaway", MaximumCost = 1m, AnomalyThreshold = 0.5 };

        Assert.Contains(rule.Validate(), p => p.StartsWith("AnomalyThreshold:", StringComparison.Ordinal));
    }
}
