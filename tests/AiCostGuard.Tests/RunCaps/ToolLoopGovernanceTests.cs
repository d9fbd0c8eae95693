using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.RunCaps;

public sealed class ToolLoopGovernanceTests
{
    private readonly InMemoryCostLedger _ledger = new();

    private static readonly AIFunction Lookup = AIFunctionFactory.Create(() => "42", "lookup", "Looks the answer up.");

    private static ChatOptions WithTools() => new() { Tools = [Lookup] };

    private IChatClient Loop(ToolLoopModel model, RunLimitAction action = RunLimitAction.Stop) =>
        new ChatClientBuilder(model)
            .UseGovernedFunctionInvocation(configureGovernance: o =>
            {
                o.Ledger = _ledger;
                o.RunLimitAction = action;
            })
            .Build();

    [Fact]
    public void Governance_outside_the_tool_loop_fails_loudly_at_build()
    {
        ChatClientBuilder misordered = new ChatClientBuilder(new ToolLoopModel()).UseCostGovernance().UseFunctionInvocation();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => misordered.Build());
        Assert.Contains("outside UseFunctionInvocation()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Governed_tool_calls_without_governance_inside_the_loop_fail_loudly_at_build()
    {
        ChatClientBuilder missing = new ChatClientBuilder(new ToolLoopModel()).UseFunctionInvocation(configure: loop => loop.GovernToolCalls());
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => missing.Build());
        Assert.Contains("UseCostGovernance() inside the tool loop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_model_call_and_tool_call_of_the_loop_is_charged_to_the_run()
    {
        var model = new ToolLoopModel { StepsWithTools = 2 };
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "agent");

        ChatResponse response = await Loop(model).GetResponseAsync("Find the answer.", WithTools());

        Assert.Equal("Here is the final answer.", response.Text);
        Assert.Equal((3L, 4L), (run.ModelCallCount, run.ToolCallCount));
        Assert.Equal(3, _ledger.GetRecords().Count);
        Assert.Equal(_ledger.GetRecords().Sum(r => r.Cost), run.Spent.Cost);
    }

    [Fact]
    public async Task Stop_rejects_the_model_call_after_a_tool_call_was_refused_at_the_tool_cap()
    {
        var model = new ToolLoopModel();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 3 }, "agent");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => Loop(model).GetResponseAsync("Find the answer.", WithTools()));

        Assert.Equal((BudgetLimitKind.ToolCalls, 3m, "agent"), (e.LimitKind, e.Limit, e.BudgetName));
        Assert.Equal((3L, 1L), (run.ToolCallCount, run.RefusedToolCallCount));
        Assert.Contains(_ledger.GetRecords(), r => r.LimitKind == BudgetLimitKind.ToolCalls && r.RefusalReason!.Contains("tool call 'lookup' not run", StringComparison.Ordinal));
        Assert.Equal(2, model.Calls.Count);
    }

    [Fact]
    public async Task Tool_calls_past_the_per_step_cap_are_not_run_and_the_model_is_told()
    {
        var model = new ToolLoopModel { ToolCallsPerStep = 3, StepsWithTools = 1 };
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumParallelToolCalls = 1 }, "agent");

        ChatResponse response = await Loop(model, RunLimitAction.DropTools).GetResponseAsync("Find the answer.", WithTools());

        FunctionResultContent[] results = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()];
        Assert.Equal(3, results.Length);
        Assert.Equal("42", results[0].Result?.ToString());
        Assert.All(results.Skip(1), r => Assert.StartsWith("Not run:", r.Result?.ToString(), StringComparison.Ordinal));
        Assert.Equal((1L, 2L), (run.ToolCallCount, run.RefusedToolCallCount));
    }

    [Fact]
    public async Task Stop_rejects_the_call_past_the_step_cap()
    {
        var model = new ToolLoopModel();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 2 }, "agent");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => Loop(model).GetResponseAsync("Find the answer.", WithTools()));

        Assert.Equal((BudgetLimitKind.ModelCalls, 2m, 2m), (e.LimitKind, e.Limit, e.Spent));
        Assert.Equal(2, model.Calls.Count);
    }

    [Fact]
    public async Task Soft_stop_makes_the_last_allowed_step_a_final_turn_without_tools()
    {
        var model = new ToolLoopModel();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 3 }, "agent");

        ChatResponse response = await Loop(model, RunLimitAction.SoftStop).GetResponseAsync("Find the answer.", WithTools());

        Assert.Equal("Here is the final answer.", response.Text);
        Assert.Equal([true, true, false], model.Calls.Select(c => c.HadTools));
        Assert.Equal([BudgetDecision.Allowed, BudgetDecision.Allowed, BudgetDecision.FinalTurn], _ledger.GetRecords().Select(r => r.Decision));
    }

    [Fact]
    public async Task Soft_stop_turns_the_call_after_the_tool_cap_into_a_final_turn()
    {
        var model = new ToolLoopModel();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 2 }, "agent");

        ChatResponse response = await Loop(model, RunLimitAction.SoftStop).GetResponseAsync("Find the answer.", WithTools());

        Assert.Equal("Here is the final answer.", response.Text);
        Assert.Equal([true, false], model.Calls.Select(c => c.HadTools));
        Assert.Equal(BudgetDecision.FinalTurn, _ledger.GetRecords()[^1].Decision);
        Assert.Equal(0, run.RefusedToolCallCount);
    }

    [Fact]
    public async Task Drop_tools_goes_on_without_tools_once_tool_calls_are_exhausted()
    {
        var model = new ToolLoopModel();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 2, MaximumModelCalls = 10 }, "agent");

        await Loop(model, RunLimitAction.DropTools).GetResponseAsync("Find the answer.", WithTools());

        Assert.Equal([true, false], model.Calls.Select(c => c.HadTools));
        Assert.Equal(BudgetDecision.ToolsDropped, _ledger.GetRecords()[^1].Decision);
    }

    [Fact]
    public async Task Tool_calls_outside_any_scope_run_uncounted()
    {
        var model = new ToolLoopModel { StepsWithTools = 1 };
        ChatResponse response = await Loop(model).GetResponseAsync("Find the answer.", WithTools());
        Assert.Equal("42", response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First().Result?.ToString());
    }

    [Fact]
    public async Task A_function_invoker_set_before_governance_still_runs_inside_the_caps()
    {
        var model = new ToolLoopModel { StepsWithTools = 1, ToolCallsPerStep = 1 };
        int invoked = 0;
        IChatClient client = new ChatClientBuilder(model)
            .UseGovernedFunctionInvocation(configureLoop: loop => loop.FunctionInvoker = (context, ct) =>
            {
                invoked++;
                return context.Function.InvokeAsync(context.Arguments, ct);
            })
            .Build();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 5 });

        await client.GetResponseAsync("Find the answer.", WithTools());

        Assert.Equal((1, 1L), (invoked, run.ToolCallCount));
    }
}
