using System.ClientModel;
using System.Text;
using AiCostGuard;
using Microsoft.Extensions.AI;
using OpenAI;
using QuickStart;
using static QuickStart.Report;

const string SmallModel = "gpt-4o-mini";
const string LargeModel = "gpt-4o";
const decimal RequestCeiling = 0.02m;
const int ChatTurnOutputTokens = 40;
const decimal ProposedCeiling = 0.001m;

string? apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
string? baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
IChatClient model = apiKey is { Length: > 0 } ? OpenAIModel(apiKey, baseUrl) : new SimulatedChatClient();
bool simulated = model is SimulatedChatClient;

// api.openai.com serves no Claude model; an OpenAI-compatible gateway named by OPENAI_BASE_URL may.
string otherModel = simulated || !string.IsNullOrEmpty(baseUrl) ? "claude-sonnet-4-5" : "gpt-4.1-mini";

Console.WriteLine("AiCostGuard quick start");
Console.WriteLine(simulated
    ? "Mode: simulated model, offline. Set OPENAI_API_KEY (and OPENAI_BASE_URL for a gateway) to use a real one."
    : $"Mode: real model through the OpenAI SDK, at {(string.IsNullOrEmpty(baseUrl) ? "api.openai.com" : baseUrl)}.");

Section("1. The pipeline");

// Records stay in memory for this demo's printouts and go to a JSON Lines file for the report and FOCUS export.
var ledger = new InMemoryCostLedger();
await using var ledgerFile = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = Environment.CurrentDirectory, FilePrefix = "quickstart-ledger" });
ICostLedger sinks = new CompositeCostLedger(ledger, ledgerFile);

using IChatClient client = new ChatClientBuilder(model)
    .UseCostGovernance(o =>
    {
        o.RequiredAttribution = AttributionDimensions.Team | AttributionDimensions.Feature;
        o.RequestLimits.MaximumCost = RequestCeiling;
        o.OverBudgetAction = OverBudgetAction.Clamp;
        o.Ledger = sinks;
    })
    .Build();

CostGovernanceChatClient governor = client.GetService<CostGovernanceChatClient>()!;

Console.WriteLine($"Every call must name a team and a feature, no single call may cost more than {Limit(RequestCeiling)}, and a call");
Console.WriteLine("whose worst case does not fit a budget gets its MaxOutputTokens clamped to what the budget can pay.");
Console.WriteLine($"Prices in USD per million tokens, from {governor.Catalog.Source}:");
foreach (string id in new[] { SmallModel, LargeModel, otherModel })
{
    ModelPrice price = governor.Catalog.TryGetPrice(id, out ModelPrice? found) ? found : throw new UnknownModelException(id);
    Console.WriteLine($"  {id,-18} input {Rate(price.InputPerMillion)}   cached input {Rate(price.CachedInputPerMillion ?? price.InputPerMillion)}   output {Rate(price.OutputPerMillion)}");
}

// Every call below is also charged to this run-wide budget, as an agent run or a batch job would be.
using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "quickstart");

Section("2. Attribution: every call is booked to who made it and why");

int printed = 0;
using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "summarize" }))
{
    // The second call repeats the prompt: the provider reads part of it from its cache, at the cached price.
    await client.GetResponseAsync(Prompts.Article, Options(SmallModel, 300));
    await client.GetResponseAsync(Prompts.Article, Options(SmallModel, 300));
}

Records(NewRecords());

using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "rerank" }))
{
    // No parameter carries the attribution into the branches of the fan-out: it flows with the async context.
    await Task.WhenAll(Prompts.Passages.Select(passage => client.GetResponseAsync(passage, Options(SmallModel, 40))));
}

Console.WriteLine("  ... three reranking calls fanned out with Task.WhenAll; they finish in any order, so they print by size:");
Records(NewRecords().OrderBy(r => r.InputTokens));

using (CostAttribution.Begin(new CostAttribution { Team = "support" }))
{
    // Per-call attribution layers over the ambient one: each call names its feature and keeps team=support.
    ChatMessage[] ticket = [new(ChatRole.User, Prompts.Ticket)];
    await client.GetResponseAsync(ticket, new CostAttribution { Feature = "triage" }, Options(otherModel, 200));
    await client.GetResponseAsync(ticket, new CostAttribution { Feature = "reply-draft" }, Options(LargeModel, 400));
}

Records(NewRecords());

try
{
    await client.GetResponseAsync("Is this call booked to anyone?", Options(SmallModel, 50));
}
catch (MissingAttributionException e)
{
    Console.WriteLine("A call made outside any attribution is rejected before it is sent:");
    Wrapped(e.Message);
    Console.WriteLine("The refusal is in the ledger all the same, at no cost:");
    Records(NewRecords());
}

Section("3. Rejected: the call does not fit its budget");

using (BudgetScope digest = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0005m }, "nightly-digest"))
using (CostAttribution.Begin(new CostAttribution { Team = "growth", Feature = "nightly-digest" }))
{
    await client.GetResponseAsync(Prompts.DigestIntro, Options(SmallModel, 200));
    try
    {
        await client.GetResponseAsync(string.Join('\n', Prompts.Headlines), Options(LargeModel, 500));
    }
    catch (BudgetExceededException e)
    {
        Console.WriteLine("The digest job's budget has room for the opening, not for the large model on all the headlines:");
        Wrapped(e.Message);
    }

    Records(NewRecords());
    Console.WriteLine($"'{digest.Name}' spent {Money(digest.Spent.Cost)} of {Limit(digest.Limits.MaximumCost)}: the rejected call was never sent and cost nothing.");
}

Section("4. Clamped: the output is limited to what the budget can still pay");

using (BudgetScope report = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.004m }, "weekly-report"))
using (CostAttribution.Begin(new CostAttribution { Team = "finance", Feature = "weekly-report" }))
{
    await client.GetResponseAsync(Prompts.Outline, Options(SmallModel, 200));
    decimal? left = report.RemainingCost;

    const int AskedOutput = 2000;
    ChatResponse response = await client.GetResponseAsync(Prompts.WeeklyReport, Options(LargeModel, AskedOutput));
    CostRecord written = ledger.GetRecords()[^1];
    decimal worstCase = governor.Catalog.TryGetPrice(LargeModel, out ModelPrice? price) ? price.GetWorstCaseCost(written.EstimatedInputTokens, AskedOutput) : 0m;

    Records(NewRecords());
    Console.WriteLine($"The write-up asked for up to {Tokens(AskedOutput)} output tokens, a worst case of {Money(worstCase)}, with {Money(left)} left in '{report.Name}'.");
    Console.WriteLine($"Decision {written.Decision} ({written.LimitKind}): {Tokens(written.OutputTokens)} output tokens came back, finish reason '{response.FinishReason}'.");
    Console.WriteLine($"'{report.Name}' spent {Money(report.Spent.Cost)} of {Limit(report.Limits.MaximumCost)}.");
}

Section("5. Cut: a streamed answer is stopped at its output ceiling");

// A model that ignores MaxOutputTokens: only the middleware's count of the stream can stop the spending.
using IChatClient runaway = new ChatClientBuilder(simulated ? new SimulatedChatClient { IgnoreMaxOutputTokens = true } : model)
    .UseCostGovernance(o =>
    {
        o.RequiredAttribution = AttributionDimensions.Team | AttributionDimensions.Feature;
        o.RequestLimits.MaximumOutputTokens = ChatTurnOutputTokens;
        o.OverBudgetAction = OverBudgetAction.Clamp;
        o.MinimumClampedOutputTokens = 16;
        o.Ledger = sinks;
    })
    .Build();

using (CostAttribution.Begin(new CostAttribution { Team = "support", Feature = "chat" }))
{
    var streamed = new StringBuilder();
    ChatResponseUpdate? last = null;
    await foreach (ChatResponseUpdate update in runaway.GetStreamingResponseAsync(Prompts.ChatTurn, new ChatOptions { ModelId = SmallModel }))
    {
        streamed.Append(update.Text);
        last = update;
    }

    Console.WriteLine($"A chat turn may write at most {Tokens(ChatTurnOutputTokens)} output tokens. The {(simulated ? "runaway " : string.Empty)}model streamed:");
    Wrapped(streamed.ToString(), "  | ");
    BudgetCutContent? cut = last?.Contents.OfType<BudgetCutContent>().SingleOrDefault();
    Console.WriteLine(cut is null
        ? $"The stream ended on its own, finish reason '{last?.FinishReason}'."
        : $"The last update carries BudgetCutContent (limit {cut.LimitKind}, {Tokens(cut.OutputTokens)} output tokens counted) and finish reason '{last!.FinishReason}'.");
    Records(NewRecords());
    if (cut is not null)
    {
        Console.WriteLine($"The provider's usage report never came: the ledger charges the output counted up to the cut (cost source {ledger.GetRecords()[^1].CostSource}).");
    }
}

Section("6. Shadow mode: decide and record, but do not enforce");

using IChatClient shadow = new ChatClientBuilder(model)
    .UseCostGovernance(o =>
    {
        o.Mode = EnforcementMode.Shadow;
        o.RequiredAttribution = AttributionDimensions.Team | AttributionDimensions.Feature;
        o.RequestLimits.MaximumCost = ProposedCeiling;
        o.Ledger = sinks;
    })
    .Build();

using (CostAttribution.Begin(new CostAttribution { Team = "research", Feature = "deep-answer" }))
{
    ChatResponse answer = await shadow.GetResponseAsync(Prompts.Question, Options(LargeModel, 1000));
    Console.WriteLine($"A proposed {Limit(ProposedCeiling)} per-request ceiling, trialled in shadow mode before it is enforced:");
    Records(NewRecords());
    Console.WriteLine($"The call's worst case breaks it, yet the call was sent and answered with {Tokens(answer.Usage?.OutputTokenCount ?? 0)} output tokens.");
}

Section("7. The cost ledger");

IReadOnlyList<CostRecord> records = ledger.GetRecords();
CostTable(records);
Console.WriteLine();
BudgetUsage spent = run.Spent;
Console.WriteLine($"Budget scope '{run.Name}' (limit {Limit(run.Limits.MaximumCost)}): {Tokens(run.ModelCallCount)} calls sent, {Tokens(spent.InputTokens)} input and {Tokens(spent.OutputTokens)} output tokens, {Money(spent.Cost)} spent.");
Console.WriteLine($"The ledger's {Tokens(records.Count)} records add up to {Money(records.Sum(r => r.Cost))}; rejected calls are in it at no cost.");

// The run reached its business outcome: reports divide its cost by its successful outcomes.
CostOutcomes.Record(sinks, run, "demo-completed", success: true);
await ledgerFile.FlushAsync();
Console.WriteLine();
Console.WriteLine($"The ledger is also in {ledgerFile.CurrentFile}. Report on it and export it for FinOps tools:");
Console.WriteLine($"  dotnet run --project src/AiCostGuard.Cli -- report --ledger {ledgerFile.CurrentFile} --by team,feature");
Console.WriteLine($"  dotnet run --project src/AiCostGuard.Cli -- report --ledger {ledgerFile.CurrentFile} --format html --out quickstart-report.html");
Console.WriteLine($"  dotnet run --project src/AiCostGuard.Cli -- export focus --ledger {ledgerFile.CurrentFile} --out quickstart-focus.csv");

IReadOnlyList<CostRecord> NewRecords()
{
    IReadOnlyList<CostRecord> all = ledger.GetRecords();
    CostRecord[] fresh = [.. all.Skip(printed)];
    printed = all.Count;
    return fresh;
}

static ChatOptions Options(string modelId, int maxOutputTokens) => new() { ModelId = modelId, MaxOutputTokens = maxOutputTokens };

static IChatClient OpenAIModel(string apiKey, string? baseUrl)
{
    var options = new OpenAIClientOptions();
    if (!string.IsNullOrEmpty(baseUrl))
    {
        options.Endpoint = new Uri(baseUrl);
    }

    return new OpenAI.Chat.ChatClient(SmallModel, new ApiKeyCredential(apiKey), options).AsIChatClient();
}
