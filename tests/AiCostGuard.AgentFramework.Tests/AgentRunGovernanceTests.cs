using AiCostGuard.AgentFramework;
using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.AgentFramework.Tests;

/// <summary>A real Agent Framework <c>ChatClientAgent</c>, with its own tool loop, over a governed chat client.</summary>
public sealed class AgentRunGovernanceTests
{
    private readonly InMemoryCostLedger _ledger = new();

    private IChatClient Governed(IChatClient model) => new ChatClientBuilder(model).UseCostGovernance(o => o.Ledger = _ledger).Build();

    [Fact]
    public async Task A_tool_call_cap_holds_over_the_agent_s_own_tool_loop()
    {
        int ran = 0;
        var model = new ToolLoopModel { ToolCallsPerStep = 2 };
        AIAgent agent = Governed(model)
            .AsAIAgent(instructions: "Research.", name: "researcher", tools: [AIFunctionFactory.Create(() => Interlocked.Increment(ref ran), "lookup")])
            .AsBuilder()
            .UseCostGovernance(o => o.RunLimits = new BudgetLimits { MaximumToolCalls = 3 })
            .Build();

        BudgetExceededException stop = await Assert.ThrowsAsync<BudgetExceededException>(() => agent.RunAsync("Find everything."));

        Assert.Equal(3, ran);
        Assert.Equal((BudgetLimitKind.ToolCalls, "researcher"), (stop.LimitKind, stop.BudgetName));
        Assert.Contains(_ledger.GetRecords(), r => r.LimitKind == BudgetLimitKind.ToolCalls && r.RefusalReason!.Contains("tool call 'lookup' not run", StringComparison.Ordinal));
        Assert.All(_ledger.GetRecords(), r => Assert.Equal("researcher", r.ScopeName));
    }

    [Fact]
    public async Task A_run_s_model_calls_are_charged_to_its_scope_and_booked_to_its_attribution()
    {
        var model = new ToolLoopModel { ToolCallsPerStep = 1, StepsWithTools = 1 };
        AIAgent agent = Governed(model)
            .AsAIAgent(instructions: "Answer.", name: "support", tools: [AIFunctionFactory.Create(() => "ok", "lookup")])
            .AsBuilder()
            .UseCostGovernance(o => o.Attribution = new CostAttribution { Team = "support" })
            .Build();
        using BudgetScope outer = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "day");

        await agent.RunAsync("Help.", options: new AgentRunOptions().WithCostAttribution(new CostAttribution { Feature = "triage" }));

        IReadOnlyList<CostRecord> calls = _ledger.GetRecords();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, r => Assert.Equal(("support", "triage", "support"), (r.Attribution.Team, r.Attribution.Feature, r.ScopeName)));
        Assert.Equal(calls.Sum(r => r.Cost), outer.Spent.Cost);
    }

    [Fact]
    public async Task A_sub_agent_called_as_a_tool_is_charged_to_the_parent_run()
    {
        AIAgent sub = Governed(new ToolLoopModel { Answer = "The sub-agent's finding." })
            .AsAIAgent(instructions: "Dig.", name: "digger")
            .AsBuilder()
            .UseCostGovernance()
            .Build();
        AIAgent parent = Governed(new ToolLoopModel { ToolCallsPerStep = 1, StepsWithTools = 1, FillRequiredArguments = true })
            .AsAIAgent(instructions: "Delegate.", name: "lead", tools: [sub.AsAIFunction()])
            .AsBuilder()
            .UseCostGovernance(o => o.RunLimits = new BudgetLimits { MaximumChildScopes = 1 })
            .Build();
        using BudgetScope outer = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "job");

        await parent.RunAsync("Find it.");

        IReadOnlyList<CostRecord> calls = _ledger.GetRecords();
        Assert.Equal(["lead", "digger", "lead"], calls.Select(r => r.ScopeName));
        Assert.Equal(calls.Sum(r => r.Cost), outer.Spent.Cost);
        Assert.True(calls.Single(r => r.ScopeName == "digger").Cost > 0);
    }

    [Fact]
    public async Task A_streamed_run_keeps_its_scope_for_every_step_of_the_stream()
    {
        AIAgent agent = Governed(new FakeChatClient { StreamWords = 20 })
            .AsAIAgent(instructions: "Answer.", name: "streamer")
            .AsBuilder()
            .UseCostGovernance(o => o.RunLimits = new BudgetLimits { MaximumModelCalls = 1 })
            .Build();

        int updates = 0;
        await foreach (AgentResponseUpdate update in agent.RunStreamingAsync("Tell me."))
        {
            updates++;
        }

        Assert.True(updates >= 20);
        CostRecord call = Assert.Single(_ledger.GetRecords());
        Assert.Equal(("streamer", CallOutcome.Succeeded), (call.ScopeName, call.Outcome));
    }

    [Fact]
    public void An_agent_on_an_ungoverned_chat_client_fails_at_build()
    {
        AIAgentBuilder builder = new ToolLoopModel().AsAIAgent(instructions: "Answer.", name: "loose").AsBuilder().UseCostGovernance();

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains("UseCostGovernance()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_run_limits_are_refused_when_the_middleware_is_added()
    {
        AIAgentBuilder builder = Governed(new ToolLoopModel()).AsAIAgent(instructions: "Answer.").AsBuilder();

        ArgumentException e = Assert.Throws<ArgumentException>(() => builder.UseCostGovernance(o => o.RunLimits = new BudgetLimits { MaximumToolCalls = -1 }));
        Assert.Contains("MaximumToolCalls", e.Message, StringComparison.Ordinal);
    }
}
