using System.Globalization;
using AiCostGuard;
using ControlPlane;
using Microsoft.Extensions.AI;
using QuickStart;

// The control plane at the moment of the call, offline: a policy denies, a route picks the model, a budget tier fires,
// and an embeddings call is governed like a chat call. Each step checks what it shows and exits non-zero if it did not happen.
var ledger = new InMemoryCostLedger();
var tiersReached = new List<BudgetTierEventArgs>();

using IChatClient client = new ChatClientBuilder(new SimulatedChatClient())
    .UseCostGovernance(o =>
    {
        o.Ledger = ledger;
        o.RequiredAttribution = AttributionDimensions.Team;

        // 1. Development may only use models under $1 per million output tokens.
        o.Policies.Add(new ModelPolicy { Name = "dev-cheap", Match = { Environment = "dev" }, MaximumOutputPerMillion = 1m });

        // 2. Calls that ask for "auto" go to the cheapest candidate that fits them.
        o.Routes.Add(new ModelRoute
        {
            Name = "auto",
            Models = { "auto" },
            Candidates =
            {
                new RouteCandidate { ModelId = "gpt-4o" },
                new RouteCandidate { ModelId = "gpt-4o-mini" },
                new RouteCandidate { ModelId = "claude-haiku-4-5" },
            },
        });

        // 3. Each team may spend $0.0005 a day, a soft budget: its ceiling never refuses; its tiers notify at half and refuse at the full amount.
        o.PeriodBudgets.Add(new PeriodBudgetOptions
        {
            Name = "team-daily",
            Period = BudgetPeriod.Daily,
            Dimensions = AttributionDimensions.Team,
            Limits = new BudgetLimits { MaximumCost = 0.0005m },
            EnforceLimits = false,
            Tiers = { new BudgetTier { Percent = 50 }, new BudgetTier { Percent = 100, Action = BudgetTierAction.Refuse } },
        });
    })
    .Build();
client.GetService<CostGovernanceChatClient>()!.BudgetTierReached += (_, e) => tiersReached.Add(e);

List<ChatMessage> question = [new(ChatRole.User, "Summarise last quarter's support tickets in three bullet points.")];

Console.WriteLine("AiCostGuard control plane, offline");
Console.WriteLine();
Console.WriteLine("1. A model policy denies the call before it is estimated or sent");
using (CostAttribution.Begin(new CostAttribution { Team = "support", Environment = "dev" }))
{
    try
    {
        await client.GetResponseAsync(question, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 200 });
        return Fail("gpt-4o ($10 per million output tokens) was sent from dev.");
    }
    catch (PolicyDeniedException e)
    {
        Console.WriteLine($"   gpt-4o from dev: denied by '{e.PolicyName}': {e.Message}");
    }

    await client.GetResponseAsync(question, new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 200 });
    Console.WriteLine($"   gpt-4o-mini from dev: allowed, {Money(ledger.GetRecords()[^1].Cost)}");
}

CostRecord denied = ledger.GetRecords().First(r => r.Decision == BudgetDecision.Denied);
Console.WriteLine($"   ledger: decision {denied.Decision}, policy {denied.PolicyName}, outcome {denied.Outcome}");

Console.WriteLine();
Console.WriteLine("2. A route sends \"auto\" to the cheapest candidate that fits");
using (CostAttribution.Begin(new CostAttribution { Team = "search", Environment = "prod" }))
{
    var auto = new ChatOptions { ModelId = "auto", MaxOutputTokens = 200 };
    CostQuote quote = client.GetService<CostGovernanceChatClient>()!.Quote(question, auto);
    foreach (CandidateQuote candidate in quote.Candidates ?? [])
    {
        Console.WriteLine($"   {candidate.ModelId,-18} worst case {Money(candidate.WorstCaseCost)}{(candidate.IsChosen ? "  <- chosen" : string.Empty)}");
    }

    await client.GetResponseAsync(question, auto);
}

CostRecord routed = ledger.GetRecords()[^1];
Console.WriteLine($"   ledger: requested {routed.RequestedModelId}, sent to {routed.ModelId}, {Money(routed.Cost)}");
if (routed.RequestedModelId != "auto" || routed.ModelId == "auto")
{
    return Fail("the call was not routed.");
}

Console.WriteLine();
Console.WriteLine("3. A budget tier fires once at 50 % of the team's daily budget, and refuses at 100 %");
int sent = 0;
using (CostAttribution.Begin(new CostAttribution { Team = "analytics", Environment = "prod" }))
{
    try
    {
        for (; sent < 100; sent++)
        {
            await client.GetResponseAsync(question, new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 200 });
        }

        return Fail("the daily budget never refused.");
    }
    catch (BudgetExceededException e)
    {
        Console.WriteLine($"   after {sent} calls: refused by tier {e.BudgetTier}, retry at {e.RetryAt:u}");
        if (e.BudgetTier != "team-daily@100")
        {
            return Fail("the 100 % tier did not refuse.");
        }
    }
}

foreach (BudgetTierEventArgs reached in tiersReached)
{
    Console.WriteLine($"   tier {reached.Tier} reached by {reached.Key} at {reached.UsedPercent.ToString("0.#", CultureInfo.InvariantCulture)} % (action {reached.Action})");
}

if (tiersReached.Count(t => t.Tier == "team-daily@50") != 1)
{
    return Fail("the 50 % tier did not fire exactly once.");
}

Console.WriteLine($"   ledger markers: {ledger.GetRecords().Count(r => r.Decision == BudgetDecision.TierReached)}");

Console.WriteLine();
Console.WriteLine("4. An embeddings call is attributed, budgeted and recorded like a chat call");
using IEmbeddingGenerator<string, Embedding<float>> embeddings = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new SimulatedEmbeddingGenerator())
    .UseCostGovernance(o =>
    {
        o.Ledger = ledger;
        o.RequiredAttribution = AttributionDimensions.Team;
    })
    .Build();
using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "indexing" }))
{
    await embeddings.GenerateAsync(["The first support ticket.", "The second support ticket, a little longer."]);
}

CostRecord embedded = ledger.GetRecords()[^1];
Console.WriteLine($"   ledger: kind {embedded.Kind}, model {embedded.ModelId}, {embedded.InputTokens} input tokens, {Money(embedded.Cost)}, team {embedded.Attribution.Team}");
if (embedded.Kind != CallKind.Embedding || embedded.Cost <= 0)
{
    return Fail("the embeddings call was not recorded as one.");
}

Console.WriteLine();
Console.WriteLine($"{ledger.GetRecords().Count} records: " + string.Join(", ", ledger.GetRecords().GroupBy(r => r.Decision).Select(g => $"{g.Count()} {g.Key}")));
return 0;

static string Money(decimal value) => "$" + value.ToString("0.000000##", CultureInfo.InvariantCulture);

static int Fail(string what)
{
    Console.Error.WriteLine("Not shown: " + what);
    return 1;
}
