using AiCostGuard.SemanticKernel.Tests.Fakes;

namespace AiCostGuard.SemanticKernel.Tests;

public sealed class CostGovernanceAutoFunctionInvocationFilterTests
{
    [Fact]
    public async Task Stop_at_the_tool_cap_throws_out_of_the_kernel_call_without_running_the_tool_or_calling_the_model_again()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"], ["find_flights"], ["get_weather"]] });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 1 }, "trip");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => harness.AskAsync());

        Assert.Equal((BudgetLimitKind.ToolCalls, "trip", 1m), (e.LimitKind, e.BudgetName, e.Limit));
        Assert.Equal((1, 0), (harness.Plugin.WeatherRuns, harness.Plugin.FlightRuns));
        Assert.Equal(2, harness.Model.Calls);
        CostRecord refusal = Assert.Single(harness.Ledger.GetRecords(), r => r.Decision == BudgetDecision.Rejected);
        Assert.Equal((BudgetLimitKind.ToolCalls, "trip", CallOutcome.NotSent), (refusal.LimitKind, refusal.LimitBudget, refusal.Outcome));
        Assert.Contains("travel.find_flights", refusal.RefusalReason, StringComparison.Ordinal);
        Assert.Equal((1L, 1L), (run.ToolCallCount, run.RefusedToolCallCount));
    }

    [Fact]
    public async Task Stop_when_no_step_is_left_to_read_a_result_throws_before_the_tool_runs()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"]] });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 1 }, "trip");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => harness.AskAsync());

        Assert.Equal(BudgetLimitKind.ModelCalls, e.LimitKind);
        Assert.Equal(0, harness.Plugin.WeatherRuns);
        Assert.Equal(1, harness.Model.Calls);
        Assert.Equal(0L, run.ToolCallCount);
    }

    [Theory]
    [InlineData(RunLimitAction.SoftStop)]
    [InlineData(RunLimitAction.DropTools)]
    public async Task Past_the_per_step_cap_the_loop_terminates_with_a_result_that_says_why(RunLimitAction action)
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather", "find_flights"], ["get_weather"]] }, action);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumParallelToolCalls = 1 }, "trip");

        FunctionResult result = await harness.AskAsync();

        Assert.Contains("per-step tool-call cap of budget 'trip' is 1", KernelHarness.Outcome(result), StringComparison.Ordinal);
        Assert.Equal((1, 0), (harness.Plugin.WeatherRuns, harness.Plugin.FlightRuns));
        Assert.Equal(1, harness.Model.Calls);
        CostRecord refusal = Assert.Single(harness.Ledger.GetRecords(), r => r.Decision == BudgetDecision.Rejected);
        Assert.Equal(BudgetLimitKind.ParallelToolCalls, refusal.LimitKind);
    }

    [Fact]
    public async Task Soft_stop_when_no_step_is_left_ends_the_loop_without_running_the_tool()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"]] }, RunLimitAction.DropTools);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 1 }, "trip");

        FunctionResult result = await harness.AskAsync();

        Assert.Contains("model-call cap of budget 'trip' is 1", KernelHarness.Outcome(result), StringComparison.Ordinal);
        Assert.Equal((0, 1), (harness.Plugin.WeatherRuns, harness.Model.Calls));
    }

    [Fact]
    public async Task Tool_calls_are_counted_in_the_run_and_its_parents()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather", "find_flights"], ["get_weather"]] });
        using BudgetScope workflow = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 10 }, "workflow");
        using BudgetScope agent = BudgetScope.Begin(new BudgetLimits(), "agent");

        await harness.AskAsync();

        Assert.Equal((3L, 3L), (agent.ToolCallCount, workflow.ToolCallCount));
        Assert.Equal((2, 1), (harness.Plugin.WeatherRuns, harness.Plugin.FlightRuns));
    }

    [Fact]
    public async Task Outside_a_budget_scope_every_function_runs()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather", "find_flights"], ["get_weather"]] });

        FunctionResult result = await harness.AskAsync();

        Assert.Equal("Done.", result.ToString());
        Assert.Equal((2, 1, 3), (harness.Plugin.WeatherRuns, harness.Plugin.FlightRuns, harness.Model.Calls));
    }
}
