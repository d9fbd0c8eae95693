using System.Diagnostics;
using System.Text;
using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Telemetry;

public sealed class CostSpanTests
{
    private static readonly CostAttribution Search = new() { Team = "search", Feature = "summarize", User = "u-42" };

    [Fact]
    public async Task With_UseOpenTelemetry_the_cost_budget_and_attribution_go_on_its_chat_span()
    {
        using var telemetry = new TelemetryHarness();
        var ledger = new InMemoryCostLedger();
        var inner = new FakeChatClient();
        using IChatClient client = new ChatClientBuilder(inner).UseOpenTelemetry().UseCostGovernance(o => o.Ledger = ledger).Build();

        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "nightly"))
        using (CostAttribution.Begin(Search))
        {
            await client.GetResponseAsync(Governed.Prompt());
        }

        CostRecord record = ledger.GetRecords()[^1];
        Activity chat = Assert.Single(telemetry.Spans, s => s.Source.Name == CostGovernanceTelemetry.ExtensionsAISourceName);
        Assert.Equal("chat gpt-4o-mini", chat.DisplayName);
        Assert.Equal((double)record.Cost, chat.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute));
        Assert.True(record.Cost > 0);
        Assert.Equal("USD", chat.GetTagItem(CostGovernanceTelemetry.CostCurrencyAttribute));
        Assert.Equal("local", chat.GetTagItem(CostGovernanceTelemetry.CostSourceAttribute));
        Assert.Equal("provider_reported", chat.GetTagItem(CostGovernanceTelemetry.UsageSourceAttribute));
        Assert.Equal((double)record.Cost, chat.GetTagItem(CostGovernanceTelemetry.CostAttribute));
        Assert.Equal("allowed", chat.GetTagItem(CostGovernanceTelemetry.DecisionAttribute));
        Assert.Equal(1.0, chat.GetTagItem(CostGovernanceTelemetry.BudgetLimitAttribute));
        Assert.Equal((double)(1m - record.Cost), chat.GetTagItem(CostGovernanceTelemetry.BudgetRemainingAttribute));
        Assert.Equal(record.ScopeId, chat.GetTagItem(CostGovernanceTelemetry.RunIdAttribute));
        Assert.Equal("search", chat.GetTagItem("aicostguard.attribution.team"));
        Assert.Equal("summarize", chat.GetTagItem("aicostguard.attribution.feature"));
        Assert.Empty(chat.Events);

        // No second span of our own for the same call, and the ledger points at the span that carries the cost.
        Assert.DoesNotContain(telemetry.Spans, s => s.Source.Name == CostGovernanceTelemetry.SourceName && s.DisplayName.StartsWith("chat", StringComparison.Ordinal));
        Assert.Equal(chat.TraceId, record.TraceId);
        Assert.Equal(chat.SpanId, record.SpanId);
    }

    [Fact]
    public async Task Without_UseOpenTelemetry_a_span_of_the_library_source_carries_the_cost_with_the_calls_times()
    {
        using var telemetry = new TelemetryHarness(extensionsAiSource: false);
        var governed = new Governed();
        using (CostAttribution.Begin(Search))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        CostRecord record = governed.Last;
        Activity span = Assert.Single(telemetry.Spans, s => s.DisplayName == "chat gpt-4o-mini");
        Assert.Equal(CostGovernanceTelemetry.SourceName, span.Source.Name);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(100L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((double)record.Cost, span.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute));
        Assert.Equal(record.Timestamp.UtcDateTime, span.StartTimeUtc);
        Assert.Equal(record.Duration, span.Duration);
        Assert.Equal(telemetry.Root.SpanId, span.ParentSpanId);
        Assert.Equal(span.SpanId, record.SpanId);
    }

    [Fact]
    public async Task A_span_that_is_not_a_chat_span_such_as_the_tool_loops_is_never_tagged()
    {
        using var telemetry = new TelemetryHarness(extensionsAiSource: false);
        using var tools = new ActivitySource(TelemetryHarness.TestSourceName);
        var governed = new Governed();
        Activity orchestrate;
        using (orchestrate = tools.StartActivity("orchestrate_tools")!)
        {
            orchestrate.SetTag("gen_ai.operation.name", "orchestrate_tools");
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        Assert.Null(orchestrate.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute));
        Activity own = Assert.Single(telemetry.Spans, s => s.Source.Name == CostGovernanceTelemetry.SourceName);
        Assert.Equal(orchestrate.SpanId, own.ParentSpanId);
        Assert.NotNull(own.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute));
    }

    [Fact]
    public async Task Budget_decisions_are_span_events_clamp_reject_and_a_streaming_cut()
    {
        using var telemetry = new TelemetryHarness();
        var ledger = new InMemoryCostLedger();
        var inner = new FakeChatClient { StreamWords = 50 };
        using IChatClient client = new ChatClientBuilder(inner).UseOpenTelemetry().UseCostGovernance(o =>
        {
            o.Ledger = ledger;
            o.RequestLimits.MaximumOutputTokens = 100;
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = 5;
        }).Build();

        await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });
        using (BudgetScope.Begin(new BudgetLimits { MaximumOutputTokens = 2 }, "tiny"))
        {
            await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 }));
        }

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10 }))
        {
            Assert.NotNull(update);
        }

        string[] decisions = [.. telemetry.Spans
            .Where(s => s.Source.Name == CostGovernanceTelemetry.ExtensionsAISourceName)
            .OrderBy(s => s.StartTimeUtc)
            .SelectMany(s => s.Events.Where(e => e.Name == CostGovernanceTelemetry.DecisionEventName))
            .Select(e => (string)e.Tags.First(t => t.Key == CostGovernanceTelemetry.DecisionAttribute).Value!)];
        Assert.Equal(["clamped", "rejected", "cut"], decisions);
        Assert.Equal([BudgetDecision.Clamped, BudgetDecision.Rejected, BudgetDecision.Cut], ledger.GetRecords().Select(r => r.Decision));
    }

    [Fact]
    public async Task A_budget_scope_is_a_run_span_that_sums_its_calls_and_parents_them()
    {
        using var telemetry = new TelemetryHarness(extensionsAiSource: false);
        var governed = new Governed();
        string id;
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 2m }, "agent"))
        {
            id = run.Id;
            await governed.Client.GetResponseAsync(Governed.Prompt());
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        Activity run1 = Assert.Single(telemetry.Spans, s => s.DisplayName == "budget_run agent");
        Assert.Equal(id, run1.GetTagItem(CostGovernanceTelemetry.RunIdAttribute));
        Assert.Equal((double)governed.Ledger.GetRecords().Sum(r => r.Cost), run1.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute));
        Assert.Equal(2L, run1.GetTagItem("aicostguard.run.calls"));
        Assert.Equal(2, telemetry.Spans.Count(s => s.DisplayName.StartsWith("chat", StringComparison.Ordinal) && s.ParentSpanId == run1.SpanId));
    }

    [Fact]
    public async Task No_prompt_or_completion_text_reaches_spans_events_or_the_ledger_file()
    {
        const string Secret = "SECRET-PROMPT-7f3a";
        const string Answer = "SECRET-COMPLETION-9b1c";
        using var telemetry = new TelemetryHarness();
        string dir = Directory.CreateTempSubdirectory().FullName;
        await using var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir });
        var inner = new FakeChatClient { Text = Answer, StreamedWord = " " + Answer };
        using IChatClient client = new ChatClientBuilder(inner).UseOpenTelemetry().UseCostGovernance(o =>
        {
            o.Ledger = new CompositeCostLedger(new InMemoryCostLedger(), file);
            o.RequestLimits.MaximumOutputTokens = 3;
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = 1;
        }).Build();

        await client.GetResponseAsync(Governed.Prompt(Secret));
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Governed.Prompt(Secret)))
        {
            Assert.NotNull(update);
        }

        await file.FlushAsync();
        var seen = new StringBuilder();
        foreach (Activity span in telemetry.Spans.Where(s => s.Source.Name == CostGovernanceTelemetry.SourceName || s.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute) is not null))
        {
            foreach (KeyValuePair<string, object?> tag in span.TagObjects) seen.Append(tag.Value).Append('|');
            foreach (ActivityEvent e in span.Events) foreach (KeyValuePair<string, object?> tag in e.Tags) seen.Append(tag.Value).Append('|');
        }

        foreach (string path in Directory.GetFiles(dir)) seen.Append(File.ReadAllText(path));
        Assert.Contains(CostGovernanceTelemetry.CostAmountAttribute, string.Join(',', telemetry.Spans.SelectMany(s => s.TagObjects.Select(t => t.Key))));
        Assert.Contains("gpt-4o-mini", seen.ToString());
        Assert.DoesNotContain("SECRET", seen.ToString());
    }
}
