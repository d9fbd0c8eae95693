using AiCostGuard.SemanticKernel.Tests.Fakes;

namespace AiCostGuard.SemanticKernel.Tests;

public sealed class CostGovernancePromptRenderFilterTests
{
    private static readonly string LongPrompt = string.Join(' ', Enumerable.Repeat("Compare every hotel in Lisbon by price, distance and reviews.", 400));

    [Fact]
    public async Task Stop_denies_an_over_budget_prompt_before_any_model_call()
    {
        var harness = new KernelHarness(new ScriptedModel());
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.001m }, "trip");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => harness.AskAsync(maxTokens: 16_000));

        Assert.Equal((BudgetLimitKind.Cost, "trip", 0.001m), (e.LimitKind, e.BudgetName, e.Limit));
        Assert.Equal(0, harness.Model.Calls);
        CostRecord denial = Assert.Single(harness.Ledger.GetRecords());
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, "gpt-4o-mini"), (denial.Decision, denial.Outcome, denial.ModelId));
        Assert.StartsWith("prompt of function 'plan_trip' not sent", denial.RefusalReason, StringComparison.Ordinal);
        Assert.True(denial.EstimatedInputTokens > 0);
        Assert.Equal(0m, run.Spent.Cost);
    }

    [Fact]
    public async Task Soft_stop_answers_instead_of_calling_the_model_when_not_even_the_input_fits()
    {
        var harness = new KernelHarness(new ScriptedModel(), RunLimitAction.SoftStop);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0001m }, "trip");

        FunctionResult result = await harness.AskAsync(LongPrompt);

        Assert.StartsWith("Not sent: prompt of function 'plan_trip' not sent", result.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, harness.Model.Calls);
        Assert.Equal(BudgetDecision.Rejected, Assert.Single(harness.Ledger.GetRecords()).Decision);
    }

    [Fact]
    public async Task Soft_stop_lets_through_a_prompt_the_governed_client_can_still_answer_as_a_clamped_final_turn()
    {
        var harness = new KernelHarness(new ScriptedModel(), RunLimitAction.SoftStop);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.001m }, "trip");

        FunctionResult result = await harness.AskAsync(maxTokens: 16_000);

        Assert.Equal("Done.", result.ToString());
        Assert.Equal(1, harness.Model.Calls);
        Assert.Equal(BudgetDecision.FinalTurn, Assert.Single(harness.Ledger.GetRecords()).Decision);
    }

    [Fact]
    public async Task A_prompt_that_fits_reaches_the_model()
    {
        var harness = new KernelHarness(new ScriptedModel());
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "trip");

        FunctionResult result = await harness.AskAsync(maxTokens: 500);

        Assert.Equal("Done.", result.ToString());
        Assert.Equal(500, harness.Model.Received[0]!.MaxOutputTokens);
        Assert.Equal(BudgetDecision.Allowed, Assert.Single(harness.Ledger.GetRecords()).Decision);
    }

    [Fact]
    public async Task Preflight_can_be_turned_off()
    {
        var harness = new KernelHarness(new ScriptedModel(), RunLimitAction.SoftStop, preflight: false);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0001m }, "trip");

        await Assert.ThrowsAsync<BudgetExceededException>(() => harness.AskAsync(LongPrompt));

        CostRecord rejection = Assert.Single(harness.Ledger.GetRecords());
        Assert.Null(rejection.RefusalReason);
    }
}
