namespace AiCostGuard.Tests.Ledger;

public sealed class CostPartsLedgerTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("aicostguard-parts-").FullName;

    [Fact]
    public async Task The_parts_of_a_cost_and_the_cache_writes_are_written_and_read_back()
    {
        string dir = TempDir();
        CostBreakdown priced = PriceCatalog.Default.Models["claude-3-7-sonnet"].GetCostBreakdown(new TokenUsage(5000, 200, CachedInputTokens: 1000) { CacheWriteTokens = 2000 });
        var call = new CostRecord
        {
            Timestamp = new DateTimeOffset(2026, 7, 24, 10, 0, 0, TimeSpan.Zero), ModelId = "claude-3-7-sonnet", InputTokens = 5000, CachedInputTokens = 1000,
            CacheWriteTokens = 2000, OutputTokens = 200, Cost = priced.Total, CostParts = priced.Parts, CostSource = CostSource.ProviderReported, Outcome = CallOutcome.Succeeded,
            Attribution = new CostAttribution { Team = "search" },
        };
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(call);
        }

        string line = File.ReadAllLines(Assert.Single(Directory.GetFiles(dir)))[0];
        Assert.Contains("\"cacheWriteTokens\":2000", line, StringComparison.Ordinal);
        Assert.Contains("\"costParts\":{\"input\":0.006,\"cachedInput\":0.0003,\"cacheWrite\":0.0075,\"output\":0.003}", line, StringComparison.Ordinal);
        CostRecord read = Assert.Single(CostLedgerReader.Read(dir).Calls);
        Assert.Equal(call, read);
        Assert.Equal(read.Cost, read.CostParts!.Value.Total);
    }

    [Fact]
    public void A_line_written_before_parts_were_kept_reads_as_a_cost_priced_as_a_whole_and_exports_as_one_row()
    {
        string dir = TempDir();
        File.WriteAllText(
            Path.Combine(dir, "aicostguard-ledger-20260301-000.jsonl"),
            """{"schema":1,"kind":"call","ts":"2026-03-01T09:00:00+00:00","durationMs":812.5,"team":"search","model":"gpt-4o","provider":"openai","streaming":false,"inputTokens":1000,"cachedInputTokens":100,"outputTokens":50,"reasoningTokens":0,"estimatedInputTokens":990,"estimatePrecision":"Exact","cost":0.002875,"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":16384,"outcome":"Succeeded"}""" + "\n");

        LedgerContents contents = CostLedgerReader.Read(dir);
        Assert.Empty(contents.SkippedLines);
        CostRecord old = Assert.Single(contents.Calls);
        Assert.Equal((1000L, 0L, 0.002875m, (CostParts?)null), (old.InputTokens, old.CacheWriteTokens, old.Cost, old.CostParts));

        var csv = new StringWriter();
        Assert.Equal(1, FocusExport.Write(contents.Calls, csv));
        Dictionary<string, string> row = Assert.Single(AiCostGuard.Tests.Reports.FocusExportTests.Parse(csv.ToString()));
        Assert.Equal(("0.002875", "1050", "Tokens", "Requests", "gpt-4o/call/0.002875"), (row["BilledCost"], row["ConsumedQuantity"], row["ConsumedUnit"], row["PricingUnit"], row["SkuPriceId"]));
    }
}
