using System.Globalization;
using AgentLoop;
using AiCostGuard;
using Microsoft.Extensions.AI;

const string Model = "gpt-4o";
const string CheaperModel = "gpt-4o-mini";
const int MaxOutputTokens = 1_000;
var limits = new BudgetLimits { MaximumCost = 0.04m, MaximumModelCalls = 12, MaximumToolCalls = 8 };

var ledger = new InMemoryCostLedger();
using IChatClient agent = new ChatClientBuilder(new SimulatedAgentModel())
    .UseGovernedFunctionInvocation(configureGovernance: o =>
    {
        o.Ledger = ledger;
        o.RunLimitAction = RunLimitAction.Degrade;
        o.DegradeModels.Add(Model);
        o.DegradeModels.Add(CheaperModel);
    })
    .Build();
CostGovernanceChatClient governor = agent.GetService<CostGovernanceChatClient>()!;

AIFunction[] tools =
[
    AIFunctionFactory.Create((string city) => $"Flights to {city}: TP1351 Fri 09:10 EUR 189, direct, 2h40; FR8341 Fri 14:25 EUR 74, direct, 2h45, no bags; U27611 Sat 07:05 EUR 96, direct; BA500 Fri 18:30 EUR 212, direct, lounge access; LH921 Fri 06:40 EUR 158, one stop in Frankfurt, 5h55.", "search_flights", "Finds flights to a city."),
    AIFunctionFactory.Create((string city) => $"Hotels in {city}: Memmo Alfama EUR 240/night, 9.1; Lisboa Pessoa EUR 180/night, 8.8; Home Lisbon Hostel EUR 38/night, 9.4; Santiago de Alfama EUR 310/night, 9.3, breakfast included; Browns Downtown EUR 150/night, 8.4, near Rossio station.", "search_hotels", "Finds hotels in a city."),
    AIFunctionFactory.Create((string city) => $"Weather in {city}: Fri 24 C sunny; Sat 22 C clouds; Sun 19 C rain from 13:00, 8 mm; indoor options: National Tile Museum, Gulbenkian, LX Factory, Time Out Market.", "get_weather", "Gets the forecast for a city."),
];
List<ChatMessage> task =
[
    new(ChatRole.System, Prompts.System),
    new(ChatRole.User, "Plan a weekend in Lisbon for two: flights from London, a hotel near Alfama and what to do if it rains."),
];
var options = new ChatOptions { ModelId = Model, MaxOutputTokens = MaxOutputTokens, Tools = [.. tools] };

Report.Section("AiCostGuard agent loop");
Report.Wrapped("An M.E.AI tool loop (UseGovernedFunctionInvocation: the tool loop outside, the governance inside it, so every model call and every tool call of the loop is budgeted) runs an agent on a simulated model, offline. The agent wants to keep calling tools; its run has a budget:");
Console.WriteLine($"  cost ceiling {Report.Money(limits.MaximumCost)}, at most {limits.MaximumModelCalls} model calls and {limits.MaximumToolCalls} tool calls; policy Degrade, ladder {Model} -> {CheaperModel}.");

Report.Section("1. The quote, before the run starts");
RunQuote quote = governor.Quote(task, options).ForRun(limits.MaximumModelCalls!.Value, limits, inputGrowthPerStep: 120);
Console.WriteLine($"  one step on {Model}, at worst:     {Report.Money(quote.PerCallWorstCase)}");
Console.WriteLine($"  {quote.ModelCalls} steps, at worst:              {Report.Money(quote.WorstCaseCost)}{(quote.IsBoundedByCeiling ? " (bounded by the run's cost ceiling)" : string.Empty)}");
RunQuote unbounded = governor.Quote(task, options).ForRun(limits.MaximumModelCalls!.Value, inputGrowthPerStep: 120);
Report.Wrapped($"Every step at its worst would cost {Report.Money(unbounded.WorstCaseCost)}; the run's ceiling caps it at {Report.Money(limits.MaximumCost)}, whatever the model does.");

using BudgetScope run = BudgetScope.Begin(limits, "trip-planner");

Report.Section("2. A sub-agent carved from the run");
decimal before = run.RemainingCost!.Value;
string notes;
decimal carved;
decimal spentByResearcher;
using (BudgetScope researcher = BudgetScope.BeginShare(0.2m, "researcher", new BudgetLimits { MaximumModelCalls = 1 }))
{
    carved = researcher.Limits.MaximumCost!.Value;
    Console.WriteLine($"  the researcher is carved 20% of what the run has left: {Report.Money(carved)} of {Report.Money(before)}; the run now has {Report.Money(run.RemainingCost)} free");
    ChatResponse research = await agent.GetResponseAsync(
        [new(ChatRole.User, "In one paragraph: what should a first-time visitor know about Lisbon neighbourhoods?")],
        new ChatOptions { ModelId = CheaperModel, MaxOutputTokens = 400 });
    notes = research.Text;
    spentByResearcher = researcher.Spent.Cost;
    Console.WriteLine($"  it makes {researcher.ModelCallCount} call on {CheaperModel} and spends {Report.Money(spentByResearcher)}");
}

Console.WriteLine($"  when it ends, the unspent {Report.Money(carved - spentByResearcher)} returns to the run, which has {Report.Money(run.RemainingCost)} left");
task.Add(new ChatMessage(ChatRole.User, "Notes from the researcher: " + notes));

Report.Section("3. The agent loop");
int first = ledger.GetRecords().Count;
ChatResponse answer = await agent.GetResponseAsync(task, options);
Report.Steps(ledger.GetRecords().Skip(first));
Console.WriteLine();
Report.Wrapped("Allowed: the step's worst case (its input plus 1,000 output tokens on the model asked for) fit what the run had left. Degraded: it no longer fit on gpt-4o, so the governance sent it to the next model of the ladder that could pay its whole output. Once the tool cap was used up, the last step also went without tools, so the agent answers instead of asking for more. Had no model of the ladder fit, that last step would have been a FinalTurn: its output clamped to what the budget could still pay.");

Report.Section("4. How the run ended");
Report.Wrapped("The answer: " + answer.Text);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  model calls {run.ModelCallCount} of {limits.MaximumModelCalls}; tool calls {run.ToolCallCount} of {limits.MaximumToolCalls}, {run.RefusedToolCallCount} refused"));
Console.WriteLine($"  the run cost {Report.Money(run.Spent.Cost)} of its {Report.Money(limits.MaximumCost)} ceiling ({Report.Tokens(run.Spent.InputTokens)} input and {Report.Tokens(run.Spent.OutputTokens)} output tokens); the quote said at most {Report.Money(quote.WorstCaseCost)}");
Report.Decisions(ledger.GetRecords());
