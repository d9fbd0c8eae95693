using System.Globalization;
using AiCostGuard;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using SemanticKernelSample;

CultureInfo invariant = CultureInfo.InvariantCulture;
var ledger = new InMemoryCostLedger();
IKernelBuilder builder = Kernel.CreateBuilder();

// The tool loop (UseKernelFunctionInvocation) outside, the governance inside it: every model call of the loop is budgeted.
builder.Services.AddChatClient(new SimulatedModel())
    .UseKernelFunctionInvocation()
    .UseCostGovernance(o =>
    {
        o.Ledger = ledger;
        o.RunLimitAction = RunLimitAction.SoftStop;
    });
builder.AddCostGovernance(o => o.RunLimitAction = RunLimitAction.SoftStop);
builder.Plugins.AddFromType<TripPlugin>("trip");
Kernel kernel = builder.Build();

var settings = new PromptExecutionSettings { ModelId = "gpt-4o", FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
settings.ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 800 };
KernelFunction planTrip = kernel.CreateFunctionFromPrompt("Plan a weekend in {{$city}}: flights, the weather and the best hotel.", settings, functionName: "plan_trip");

Section("AiCostGuard with Semantic Kernel");
Wrapped("A real Kernel with a plugin of three functions (find_flights, get_weather, summarize_reviews — the last asks a model of its own) runs automatic function invocation over a simulated, governed IChatClient, offline. AddCostGovernance() adds three filters: tool caps on the loop, per-function counts and cost, and a pre-flight price check of the rendered prompt.");

Section("1. A run within its caps");
using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.05m, MaximumToolCalls = 6, MaximumParallelToolCalls = 3 }, "weekend-porto"))
{
    FunctionResult result = await kernel.InvokeAsync(planTrip, new KernelArguments { ["city"] = "Porto" });
    Wrapped("Answer: " + result);
    Console.WriteLine(string.Create(invariant, $"  model calls {run.ModelCallCount}, tool calls {run.ToolCallCount}, cost {Money(run.Spent.Cost)}"));
}

Section("2. A run whose per-step tool cap terminates the loop");
int before = ledger.GetRecords().Count;
using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.05m, MaximumParallelToolCalls = 2 }, "weekend-lisbon"))
{
    FunctionResult result = await kernel.InvokeAsync(planTrip, new KernelArguments { ["city"] = "Lisbon" });
    ChatMessage last = result.GetValue<ChatResponse>()!.Messages[^1];
    Wrapped("The model asked for three tools in one step; the run allows two. The third was not run and the loop ended there, without another model call. Its last function result:");
    Wrapped(last.Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().Last().Result?.ToString() ?? string.Empty, "    ");
    Console.WriteLine(string.Create(invariant, $"  model calls {run.ModelCallCount}, tool calls {run.ToolCallCount}, refused {run.RefusedToolCallCount}, cost {Money(run.Spent.Cost)}"));
}

foreach (CostRecord refusal in ledger.GetRecords().Skip(before).Where(r => r.Decision == BudgetDecision.Rejected))
{
    Console.WriteLine($"  ledger: {refusal.Decision} ({refusal.LimitKind} of '{refusal.LimitBudget}'): {refusal.RefusalReason}");
}

Section("3. A prompt the run cannot pay is denied before any model call");
using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0001m }, "weekend-faro"))
{
    FunctionResult result = await kernel.InvokeAsync(planTrip, new KernelArguments { ["city"] = string.Join(' ', Enumerable.Repeat("Faro", 400)) });
    Wrapped("Result: " + result);
    Console.WriteLine(string.Create(invariant, $"  model calls {run.ModelCallCount}, cost {Money(run.Spent.Cost)}"));
}

Section("4. Per-function cost, from the ledger");
KernelFunctionCallCounts counts = kernel.Services.GetRequiredService<KernelFunctionCallCounts>();
Console.WriteLine("  function                 invocations  model calls  input  output  cost (USD)");
foreach (IGrouping<string, CostRecord> function in ledger.GetRecords()
    .Where(r => r.Outcome != CallOutcome.NotSent)
    .GroupBy(r => r.Attribution.Tags.TryGetValue(KernelCostGovernanceOptions.FunctionTag, out string? name) ? name : "-")
    .OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine(string.Create(invariant, $"  {function.Key,-23}  {counts.GetCount(function.Key),11}  {function.Count(),11}  {function.Sum(r => r.InputTokens),5:N0}  {function.Sum(r => r.OutputTokens),6:N0}  {Money(function.Sum(r => r.Cost))}"));
}

foreach ((string name, long invocations) in counts.ToDictionary().Where(c => ledger.GetRecords().All(r => !r.Attribution.Tags.Values.Contains(c.Key))).OrderBy(c => c.Key, StringComparer.Ordinal))
{
    Console.WriteLine(string.Create(invariant, $"  {name,-23}  {invocations,11}  {0,11}  {0,5}  {0,6}  {Money(0)}"));
}

static void Section(string title)
{
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine(new string('=', title.Length));
}

static string Money(decimal usd) => "$" + usd.ToString("0.000000", CultureInfo.InvariantCulture);

static void Wrapped(string text, string indent = "  ")
{
    var line = new System.Text.StringBuilder(indent);
    foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
    {
        if (line.Length > indent.Length && line.Length + 1 + word.Length > 110)
        {
            Console.WriteLine(line);
            line.Clear().Append(indent);
        }

        line.Append(line.Length > indent.Length ? " " : string.Empty).Append(word);
    }

    if (line.Length > indent.Length)
    {
        Console.WriteLine(line);
    }
}
