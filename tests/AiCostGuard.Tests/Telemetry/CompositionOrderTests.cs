using System.Diagnostics;
using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Telemetry;

/// <summary>
/// Whatever order a pipeline composes <c>UseOpenTelemetry()</c>, <c>UseFunctionInvocation()</c> and
/// <c>UseCostGovernance()</c> in, the cost on its spans adds up to the ledger: each model call on its own span, or summed
/// where one span covers a whole tool loop. Real OpenTelemetry SDK, a two-call tool loop.
/// </summary>
public sealed class CompositionOrderTests
{
    public static TheoryData<string> Orders => ["otel, loop, governance", "loop, otel, governance", "loop, governance, otel"];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task The_cost_on_spans_adds_up_to_the_ledger(string order)
    {
        using var telemetry = new TelemetryHarness();
        var ledger = new InMemoryCostLedger();
        var model = new ToolLoopModel { ToolCallsPerStep = 1, StepsWithTools = 1 };
        var builder = new ChatClientBuilder(model);
        foreach (string step in order.Split(", "))
        {
            _ = step switch
            {
                "otel" => builder.UseOpenTelemetry(),
                "loop" => builder.UseFunctionInvocation(),
                _ => builder.UseCostGovernance(o => o.Ledger = ledger),
            };
        }

        using IChatClient client = builder.Build();
        await client.GetResponseAsync("Look it up.", new ChatOptions { Tools = [AIFunctionFactory.Create(() => "found", "lookup")] });

        IReadOnlyList<CostRecord> calls = ledger.GetRecords();
        Assert.Equal(2, calls.Count);
        decimal total = calls.Sum(r => r.Cost);
        List<Activity> costed = [.. telemetry.Spans.Where(s => s.GetTagItem(CostGovernanceTelemetry.CostAttribute) is double)];
        Assert.NotEmpty(costed);
        Assert.Equal((double)total, costed.Sum(s => (double)s.GetTagItem(CostGovernanceTelemetry.CostAttribute)!), 12);
        Assert.Equal((double)total, costed.Sum(s => (double)s.GetTagItem(CostGovernanceTelemetry.CostAmountAttribute)!), 12);
        Assert.Equal(2L, costed.Sum(s => (long)s.GetTagItem(CostGovernanceTelemetry.ModelCallsAttribute)!));
        Assert.All(costed, s => Assert.Equal("chat", s.GetTagItem("gen_ai.operation.name")));
        Assert.All(calls, r => Assert.Contains(costed, s => s.SpanId == r.SpanId));
    }

    [Theory]
    [InlineData("loop, otel, governance")]
    [InlineData("loop, governance, otel")]
    public async Task With_the_tool_loop_outside_UseOpenTelemetry_each_model_call_has_its_chat_span_and_tools_keep_theirs(string order)
    {
        using var telemetry = new TelemetryHarness();
        var ledger = new InMemoryCostLedger();
        var builder = new ChatClientBuilder(new ToolLoopModel { ToolCallsPerStep = 1, StepsWithTools = 1 });
        foreach (string step in order.Split(", "))
        {
            _ = step switch
            {
                "otel" => builder.UseOpenTelemetry(),
                "loop" => builder.UseFunctionInvocation(),
                _ => builder.UseCostGovernance(o => o.Ledger = ledger),
            };
        }

        using IChatClient client = builder.Build();
        await client.GetResponseAsync("Look it up.", new ChatOptions { Tools = [AIFunctionFactory.Create(() => "found", "lookup")] });

        Assert.Contains(telemetry.Spans, s => s.DisplayName.StartsWith("execute_tool", StringComparison.Ordinal));
        Assert.All(ledger.GetRecords(), r => Assert.Equal(1L, telemetry.Spans.Single(s => s.SpanId == r.SpanId).GetTagItem(CostGovernanceTelemetry.ModelCallsAttribute)));
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task No_span_carries_a_key_twice(string order)
    {
        // The first call on a span appends its tags without a search; a later call on the same span must replace them.
        using var telemetry = new TelemetryHarness();
        var builder = new ChatClientBuilder(new ToolLoopModel { ToolCallsPerStep = 1, StepsWithTools = 2 });
        foreach (string step in order.Split(", "))
        {
            _ = step switch
            {
                "otel" => builder.UseOpenTelemetry(),
                "loop" => builder.UseFunctionInvocation(),
                _ => builder.UseCostGovernance(o => o.Ledger = new InMemoryCostLedger()),
            };
        }

        using IChatClient client = builder.Build();
        using (CostAttribution.Begin(new CostAttribution { Team = "dedup-team" }))
        {
            await client.GetResponseAsync("Look it up.", new ChatOptions { Tools = [AIFunctionFactory.Create(() => "found", "lookup")] });
        }

        List<Activity> costed = [.. telemetry.Spans.Where(s => s.GetTagItem(CostGovernanceTelemetry.CostAttribute) is double)];
        Assert.NotEmpty(costed);
        Assert.All(costed, s => Assert.Empty(s.TagObjects.GroupBy(t => t.Key).Where(g => g.Count() > 1).Select(g => g.Key)));
        Assert.Equal(3L, costed.Sum(s => (long)s.GetTagItem(CostGovernanceTelemetry.ModelCallsAttribute)!));
    }
}
