using System.Diagnostics;
using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Telemetry;

/// <summary>What reaches spans, metrics and FOCUS names the decision and the limit that made it.</summary>
public sealed class DecisionTelemetryTests
{
    [Fact]
    public async Task A_call_refused_by_the_step_cap_is_tagged_model_calls_on_its_metric()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed();
        using var team = CostAttribution.Begin(new CostAttribution { Team = "step-capped" });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 1 }, "steps");
        await governed.Client.GetResponseAsync(Governed.Prompt());

        await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));

        Assert.Equal(BudgetLimitKind.ModelCalls, governed.Last.LimitKind);
        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "step-capped"), (CostGovernanceTelemetry.DecisionAttribute, "rejected"), (CostGovernanceTelemetry.LimitKindAttribute, "model_calls")));
        Assert.Equal(0, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "step-capped"), (CostGovernanceTelemetry.LimitKindAttribute, "cost")));
    }

    [Fact]
    public async Task A_degraded_call_is_tagged_degraded_on_its_span_and_in_FOCUS()
    {
        using var telemetry = new TelemetryHarness();
        List<ChatMessage> prompt = Governed.Prompt();
        var governed = new Governed(o =>
        {
            o.RunLimitAction = RunLimitAction.Degrade;
            o.DegradeModels.Add("gpt-4o");
            o.DegradeModels.Add("gpt-4o-mini");
        });
        ModelPrice gpt4o = PriceCatalog.Default.Models["gpt-4o"];
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o").Tokens;
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = gpt4o.GetWorstCaseCost(input, 1000) / 2 }, "agent");

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 1000 });

        Assert.Equal(BudgetDecision.Degraded, governed.Last.Decision);
        Activity span = Assert.Single(telemetry.Spans, s => s.Source.Name == CostGovernanceTelemetry.SourceName && s.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        Assert.Equal("degraded", span.GetTagItem(CostGovernanceTelemetry.DecisionAttribute));
        Assert.Equal("cost", span.GetTagItem(CostGovernanceTelemetry.LimitKindAttribute));

        using var focus = new StringWriter();
        FocusExport.Write(governed.Ledger.GetRecords(), focus);
        Assert.Contains(",degraded", focus.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("shadow_rejected", focus.ToString(), StringComparison.Ordinal);
    }
}
