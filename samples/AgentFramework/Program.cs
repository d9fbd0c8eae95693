// A Microsoft Agent Framework agent whose runs are governed: offline, on a scripted model that keeps asking for
// tools. The run's tool-call cap stops the agent's own tool loop; a sub-agent called as a tool is charged to the run.
using AgentFrameworkSample;
using AiCostGuard;
using AiCostGuard.AgentFramework;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

var ledger = new InMemoryCostLedger();
IChatClient Governed(IChatClient model) => new ChatClientBuilder(model).UseCostGovernance(o => o.Ledger = ledger).Build();

AIAgent analyst = Governed(new ScriptedModel(toolCallsPerStep: 0))
    .AsAIAgent(instructions: "Summarize what you are given.", name: "analyst")
    .AsBuilder()
    .UseCostGovernance()
    .Build();

int searches = 0;
AIAgent researcher = Governed(new ScriptedModel(toolCallsPerStep: 2))
    .AsAIAgent(
        instructions: "Research the question with the tools you have.",
        name: "researcher",
        tools: [AIFunctionFactory.Create((string query) => $"result {Interlocked.Increment(ref searches)} for {query}", "search"), analyst.AsAIFunction()])
    .AsBuilder()
    .UseCostGovernance(o => o.RunLimits = new BudgetLimits { MaximumToolCalls = 5, MaximumCost = 0.05m })
    .Build();

try
{
    AgentResponse answer = await researcher.RunAsync("Which regions grew fastest?", options: new AgentRunOptions()
        .WithCostAttribution(new CostAttribution { Team = "insights", Feature = "weekly-brief" }));
    Console.WriteLine(answer.Text);
}
catch (BudgetExceededException e)
{
    Console.WriteLine($"Run stopped: {e.Message}");
}

Console.WriteLine($"\n{searches} searches and the analyst sub-agent shared the run's cap of 5 tool calls; the ledger:");
foreach (CostRecord r in ledger.GetRecords())
{
    Console.WriteLine($"  {r.ScopeName,-10} {r.ModelId,-12} {r.Decision,-9} {r.Outcome,-9} ${r.Cost:0.000000}  {r.RefusalReason}");
}
