namespace AiCostGuard.Tests.Budgets.Tiers;

/// <summary>The tier of a call and a tier's marker round-trip through the JSON Lines ledger; older ledgers read without them.</summary>
public sealed class BudgetTierLedgerTests
{
    [Fact]
    public async Task A_calls_tier_and_a_marker_are_written_and_read_back_and_markers_stay_out_of_reports()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-tiers-").FullName;
        var call = new CostRecord
        {
            Timestamp = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), ModelId = "gpt-4o-mini", InputTokens = 10, OutputTokens = 5,
            Cost = 0.00001m, CostSource = CostSource.ProviderReported, Decision = BudgetDecision.Degraded, LimitBudget = "daily", Outcome = CallOutcome.Succeeded,
            Attribution = new CostAttribution { Team = "search" }, BudgetTier = "daily@80",
        };
        var marker = new CostRecord
        {
            Timestamp = call.Timestamp, Attribution = call.Attribution, CostSource = CostSource.Estimated, Decision = BudgetDecision.TierReached,
            LimitBudget = "daily|team=search", Outcome = CallOutcome.NotSent, BudgetTier = "daily@80",
        };
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(marker);
            ledger.Record(call);
        }

        string[] lines = File.ReadAllLines(Assert.Single(Directory.GetFiles(dir)));
        Assert.All(lines, l => Assert.Contains("\"budgetTier\":\"daily@80\"", l, StringComparison.Ordinal));
        LedgerContents read = CostLedgerReader.Read(dir);
        Assert.Equal([marker, call], read.Calls);

        var csv = new StringWriter();
        Assert.Equal(1, FocusExport.Write(read.Calls, csv));
        Assert.Single(CostReport.Create(read.Calls, [], ReportDimensions.Team).Rows);
    }

    [Fact]
    public void A_line_written_before_tiers_reads_without_one()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-tiers-").FullName;
        File.WriteAllText(
            Path.Combine(dir, "aicostguard-ledger-20260301-000.jsonl"),
            """{"schema":1,"kind":"call","ts":"2026-03-01T09:00:00+00:00","durationMs":812.5,"team":"search","model":"gpt-4o","provider":"openai","streaming":false,"inputTokens":1000,"cachedInputTokens":100,"outputTokens":50,"reasoningTokens":0,"estimatedInputTokens":990,"estimatePrecision":"Exact","cost":0.002875,"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":16384,"outcome":"Succeeded"}""" + "\n");

        CostRecord old = Assert.Single(CostLedgerReader.Read(dir).Calls);

        Assert.Null(old.BudgetTier);
    }
}
