using AiCostGuard.SemanticKernel.Tests.Fakes;

namespace AiCostGuard.SemanticKernel.Tests;

public sealed class CostGovernanceFunctionInvocationFilterTests
{
    private static readonly decimal StepCost = PriceCatalog.Default.Models["gpt-4o-mini"].GetCost(new TokenUsage(1000, 100, 0, 0));

    [Fact]
    public async Task Each_function_invocation_is_counted_by_name()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"], ["get_weather", "find_flights"]] });

        await harness.AskAsync();

        Assert.Equal(2, harness.Counts.GetCount("travel.get_weather"));
        Assert.Equal(1, harness.Counts.GetCount("travel.find_flights"));
        Assert.Equal(1, harness.Counts.GetCount("plan_trip"));
        Assert.Equal(0, harness.Counts.GetCount("travel.summarize"));
        Assert.Equal(3, harness.Counts.ToDictionary().Count);
    }

    [Fact]
    public async Task Model_calls_are_booked_in_the_ledger_to_the_function_that_made_them()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["summarize"]] });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "trip");

        await harness.AskAsync();

        IReadOnlyList<CostRecord> records = harness.Ledger.GetRecords();
        Assert.Equal(3, records.Count);
        var byFunction = records
            .GroupBy(r => r.Attribution.Tags[KernelCostGovernanceOptions.FunctionTag])
            .ToDictionary(g => g.Key, g => (Calls: g.Count(), Cost: g.Sum(r => r.Cost)));
        Assert.Equal((2, 2 * StepCost), byFunction["plan_trip"]);
        Assert.Equal((1, StepCost), byFunction["travel.summarize"]);
        Assert.Equal(3 * StepCost, run.Spent.Cost);
    }

    [Fact]
    public async Task The_function_tag_layers_over_the_callers_attribution()
    {
        var harness = new KernelHarness(new ScriptedModel());
        using (CostAttribution.Begin(new CostAttribution { Team = "travel", Tags = new Dictionary<string, string> { ["tenant-plan"] = "gold" } }))
        {
            await harness.AskAsync();
        }

        CostAttribution booked = Assert.Single(harness.Ledger.GetRecords()).Attribution;
        Assert.Equal(("travel", "gold", "plan_trip"), (booked.Team, booked.Tags["tenant-plan"], booked.Tags[KernelCostGovernanceOptions.FunctionTag]));
    }
}
