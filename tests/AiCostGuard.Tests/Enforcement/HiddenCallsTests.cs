using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

#pragma warning disable MEAI001 // SummarizingChatReducer and UseChatReducer are experimental in M.E.AI 10.11.

/// <summary>Model calls the user does not make directly: a reducer's summaries, a tool loop's steps.</summary>
public sealed class HiddenCallsTests
{
    [Fact]
    public async Task A_summarizing_reducer_on_the_governed_client_is_charged_to_the_call_that_triggered_it_and_tagged_as_a_summary()
    {
        var ledger = new InMemoryCostLedger();
        var summarizer = new FakeChatClient { Text = "They talked about budgets.", Usage = new UsageDetails { InputTokenCount = 400, OutputTokenCount = 30 } };

        // The reducer's own client: governed, into the same ledger, and tagged so reports can tell its calls apart.
        IChatClient summaries = new ChatClientBuilder(summarizer)
            .Use(async (messages, options, next, cancellationToken) =>
            {
                using (CostAttribution.Begin(new CostAttribution { Tags = new Dictionary<string, string> { ["call"] = "summary" } }))
                {
                    await next(messages, options, cancellationToken);
                }
            })
            .UseCostGovernance(o => o.Ledger = ledger)
            .Build();
        var model = new FakeChatClient();
        IChatClient chat = new ChatClientBuilder(model)
            .UseChatReducer(new SummarizingChatReducer(summaries, targetCount: 2, threshold: 0))
            .UseCostGovernance(o => { o.Ledger = ledger; o.RequiredAttribution = AttributionDimensions.Team; })
            .Build();
        List<ChatMessage> history = [.. Enumerable.Range(0, 8).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message {i}"))];

        using (CostAttribution.Begin(new CostAttribution { Team = "support", Feature = "assistant" }))
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "conversation"))
        {
            await chat.GetResponseAsync(history);
            Assert.Equal(ledger.GetRecords().Sum(r => r.Cost), run.Spent.Cost);
        }

        Assert.Equal(1, summarizer.Calls);
        CostRecord[] records = [.. ledger.GetRecords()];
        Assert.Equal(2, records.Length);
        CostRecord summary = Assert.Single(records, r => r.Attribution.Tags.ContainsKey("call"));
        Assert.Equal(("support", "assistant", "conversation", 400L), (summary.Attribution.Team, summary.Attribution.Feature, summary.ScopeName, summary.InputTokens));
        CostRecord answer = Assert.Single(records, r => !r.Attribution.Tags.ContainsKey("call"));
        Assert.Equal(("support", "conversation"), (answer.Attribution.Team, answer.ScopeName));
    }

    [Fact]
    public async Task One_user_call_through_a_tool_loop_records_each_model_call_once_and_the_totals_agree()
    {
        var ledger = new InMemoryCostLedger();
        var model = new ToolLoopModel { StepsWithTools = 3 };
        IChatClient client = new ChatClientBuilder(model)
            .UseFunctionInvocation()
            .UseCostGovernance(o => o.Ledger = ledger)
            .Build();
        var options = new ChatOptions { ModelId = "gpt-4o-mini", Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather")] };

        ChatResponse response;
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "loop"))
        {
            response = await client.GetResponseAsync(Governed.Prompt("What is the weather?"), options);
            Assert.Equal(ledger.GetRecords().Sum(r => r.Cost), run.Spent.Cost);
            Assert.Equal(model.Calls.Count, run.ModelCalls);
        }

        CostRecord[] records = [.. ledger.GetRecords()];
        Assert.Equal(4, model.Calls.Count);
        Assert.Equal(model.Calls.Count, records.Length);
        Assert.Equal(response.Usage!.InputTokenCount, records.Sum(r => r.InputTokens));
        Assert.Equal(response.Usage.OutputTokenCount, records.Sum(r => r.OutputTokens));
        Assert.All(records, r => Assert.Equal(CallKind.Chat, r.Kind));
    }
}
