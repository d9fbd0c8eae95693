using System.Text.Json;

namespace AiCostGuard.Tests.Reports.Chargeback;

public sealed class CloudEventsExportTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    private static CostRecord Call(string tenant, decimal cost, int minute = 0, CallOutcome outcome = CallOutcome.Succeeded) => new()
    {
        Timestamp = Start.AddMinutes(minute),
        Attribution = new CostAttribution { Tenant = tenant, Team = "search", Tags = new Dictionary<string, string> { ["team"] = "tag-value" } },
        ScopeId = "run-1",
        ModelId = "gpt-4o",
        Provider = "openai",
        InputTokens = 1200,
        CachedInputTokens = 200,
        CacheWriteTokens = 100,
        OutputTokens = 300,
        ReasoningTokens = 50,
        Cost = cost,
        CostSource = CostSource.ProviderReported,
        Outcome = outcome,
    };

    private static JsonElement[] Export(IEnumerable<CostRecord> calls, CloudEventsExportOptions? options = null)
    {
        using var writer = new StringWriter();
        int count = CloudEventsExport.Write(calls, writer, options);
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(count, lines.Length);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement)];
    }

    [Fact]
    public void Each_call_sent_is_one_event_with_tokens_by_kind_cost_model_and_attribution()
    {
        JsonElement e = Assert.Single(Export([Call("acme", 0.0123m), Call("acme", 1m, outcome: CallOutcome.NotSent)]));

        Assert.Equal(["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("1.0", "aicostguard", "com.aicostguard.model.call", "acme"), (e.GetProperty("specversion").GetString(), e.GetProperty("source").GetString(), e.GetProperty("type").GetString(), e.GetProperty("subject").GetString()));
        Assert.Equal("2026-07-20T09:00:00.0000000Z", e.GetProperty("time").GetString());
        JsonElement data = e.GetProperty("data");
        Assert.Equal(("gpt-4o", "openai", "run-1", "ProviderReported"), (data.GetProperty("model").GetString(), data.GetProperty("provider").GetString(), data.GetProperty("run").GetString(), data.GetProperty("costSource").GetString()));
        Assert.Equal(
            """{"input":1200,"cachedInput":200,"cacheWrite":100,"output":300,"reasoning":50,"total":1500}""",
            data.GetProperty("tokens").GetRawText());
        Assert.Equal(0.0123m, data.GetProperty("cost").GetDecimal());
        Assert.Equal(0.0123m, data.GetProperty("billed").GetDecimal());
        Assert.Equal("""{"tenant":"acme","team":"search","tags":{"team":"tag-value"}}""", data.GetProperty("attribution").GetRawText());
    }

    [Fact]
    public void Ids_are_stable_across_runs_and_distinct_between_calls_even_identical_ones()
    {
        CostRecord[] calls = [Call("acme", 0.01m), Call("acme", 0.01m, minute: 1), Call("acme", 0.01m)];

        string[] first = [.. Export(calls).Select(e => e.GetProperty("id").GetString()!)];
        string[] second = [.. Export(calls).Select(e => e.GetProperty("id").GetString()!)];

        Assert.Equal(first, second);
        Assert.Equal(3, first.Distinct().Count());
        Assert.Equal(first[0] + "-1", first[2]);
        Assert.Matches("^[0-9a-f]{32}$", first[0]);
    }

    [Fact]
    public void A_chosen_subject_and_a_markup_per_subject_give_chargeback_amounts()
    {
        var options = new CloudEventsExportOptions { Subject = AttributionDimensions.Tenant, Source = "//billing/myapp" };
        options.Markup["acme"] = 1.25m;

        JsonElement[] events = Export([Call("acme", 0.08m), Call("globex", 0.08m)], options);
        JsonElement byTeam = Export([Call("acme", 0.08m)], new CloudEventsExportOptions { Subject = AttributionDimensions.Team })[0];
        JsonElement unattributed = Export([Call("x", 0.08m) with { Attribution = CostAttribution.Empty }])[0];

        Assert.Equal((0.1m, 1.25m), (events[0].GetProperty("data").GetProperty("billed").GetDecimal(), events[0].GetProperty("data").GetProperty("markup").GetDecimal()));
        Assert.Equal((0.08m, 1m), (events[1].GetProperty("data").GetProperty("billed").GetDecimal(), events[1].GetProperty("data").GetProperty("markup").GetDecimal()));
        Assert.Equal("//billing/myapp", events[0].GetProperty("source").GetString());
        Assert.Equal("search", byTeam.GetProperty("subject").GetString());
        Assert.Equal("unattributed", unattributed.GetProperty("subject").GetString());
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_field_named()
    {
        var options = new CloudEventsExportOptions { Source = " ", Subject = AttributionDimensions.Tenant | AttributionDimensions.Team };
        options.Markup["acme"] = 0m;

        ArgumentException e = Assert.Throws<ArgumentException>(() => CloudEventsExport.Write([], TextWriter.Null, options));

        Assert.Contains("Source:", e.Message, StringComparison.Ordinal);
        Assert.Contains("Subject:", e.Message, StringComparison.Ordinal);
        Assert.Contains("Markup[acme]:", e.Message, StringComparison.Ordinal);
    }
}
