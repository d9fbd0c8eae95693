using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Reports;

public sealed class FocusExportTests
{
    /// <summary>The columns FOCUS 1.2 makes mandatory, and those the issue names.</summary>
    private static readonly string[] Mandatory =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
        "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName",
        "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
        "ListUnitPrice", "ConsumedQuantity", "ConsumedUnit", "ResourceId", "Tags", "ChargeFrequency", "ContractedUnitPrice",
        "SkuId", "SkuMeter", "SkuPriceId",
    ];

    private static readonly DateTimeOffset At = new(2026, 7, 31, 23, 59, 59, TimeSpan.Zero);

    /// <summary>A call priced by the default catalog as settlement prices it, with its parts kept on the record.</summary>
    private static CostRecord Priced(string model, TokenUsage usage, DateTimeOffset at, string? team = null, string? serviceTier = null)
    {
        ModelPrice price = PriceCatalog.Default.Models[model];
        CostBreakdown cost = price.GetCostBreakdown(usage, serviceTier);
        return new CostRecord
        {
            Timestamp = at, Duration = TimeSpan.FromSeconds(2), ModelId = model, Provider = price.Provider, Outcome = CallOutcome.Succeeded,
            InputTokens = usage.InputTokens, CachedInputTokens = usage.CachedInputTokens, CacheWriteTokens = usage.AllCacheWriteTokens,
            OutputTokens = usage.OutputTokens, ReasoningTokens = usage.ReasoningTokens,
            Cost = cost.Total, CostParts = cost.Parts, CostSource = CostSource.ProviderReported, ServiceTier = cost.ServiceTier,
            Attribution = new CostAttribution { Team = team, Feature = "rerank v2", Tenant = "acme" }, ScopeName = "run", ScopeId = "r1",
        };
    }

    [Fact]
    public void Rows_follow_the_FOCUS_column_rules()
    {
        CostRecord[] calls =
        [
            Priced("gpt-4o", new TokenUsage(1000, 50, CachedInputTokens: 100), At, team: "search"),
            Priced("gpt-4o", new TokenUsage(7, 333, CachedInputTokens: 3), At.AddSeconds(-1)),
            Priced("claude-3-7-sonnet", new TokenUsage(5000, 200, CachedInputTokens: 1000) { CacheWriteTokens = 2000 }, At.AddSeconds(-2)),
            Priced("gemini-2.5-flash", new TokenUsage(100, 900, ReasoningTokens: 700), At.AddSeconds(-3)),
            new() { Timestamp = At.AddSeconds(-4), ModelId = "claude-x", Outcome = CallOutcome.Cancelled, Cost = 0m, CostSource = CostSource.Unpriced },
            new() { Timestamp = At.AddSeconds(-5), ModelId = "gpt-4o", Outcome = CallOutcome.NotSent, Decision = BudgetDecision.Rejected },
        ];
        var csv = new StringWriter();
        int written = FocusExport.Write(calls, csv, "acct-1");

        List<Dictionary<string, string>> rows = Parse(csv.ToString());
        Assert.Equal(3 + 3 + 4 + 3 + 1, written);
        Assert.Equal(written, rows.Count);
        foreach (string column in Mandatory)
        {
            Assert.True(rows[0].ContainsKey(column), $"missing column {column}");
        }

        foreach (Dictionary<string, string> row in rows)
        {
            foreach (string column in Mandatory.Where(c => c != "ChargeClass"))
            {
                Assert.False(string.IsNullOrEmpty(row[column]), $"{column} is null");
            }

            Assert.Equal(string.Empty, row["ChargeClass"]);
            Assert.Equal("Usage", row["ChargeCategory"]);
            Assert.Equal("AI and Machine Learning", row["ServiceCategory"]);
            Assert.Equal("USD", row["BillingCurrency"]);
            decimal quantity = Dec(row["PricingQuantity"]);
            Assert.Equal(Dec(row["ListCost"]), Dec(row["ListUnitPrice"]) * quantity);
            Assert.Equal(Dec(row["ContractedCost"]), Dec(row["ContractedUnitPrice"]) * quantity);
            Assert.Equal(row["BilledCost"], row["EffectiveCost"]);
            Assert.Equal(row["ListUnitPrice"], row["ContractedUnitPrice"]);
            Assert.Equal(row["ConsumedUnit"] == "Tokens" && row["SkuPriceId"].Split('/')[1] != "call", row["PricingUnit"] == "1000000 Tokens");
            if (row["PricingUnit"] == "1000000 Tokens")
            {
                Assert.Equal(Dec(row["ConsumedQuantity"]) / 1_000_000m, quantity);
            }

            DateTime start = DateTime.Parse(row["ChargePeriodStart"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            DateTime end = DateTime.Parse(row["ChargePeriodEnd"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.True(end > start);
            Assert.True(DateTime.Parse(row["BillingPeriodStart"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) <= start);
            Assert.True(DateTime.Parse(row["BillingPeriodEnd"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) >= end);
            Assert.Equal("acct-1", row["BillingAccountId"]);
        }

        // One price id, one unit price; and the rows of each call add up to exactly its cost.
        Assert.All(rows.GroupBy(r => r["SkuPriceId"]), g => Assert.Single(g.Select(r => r["ListUnitPrice"]).Distinct()));
        foreach (CostRecord call in calls.Where(c => c.Outcome != CallOutcome.NotSent))
        {
            Assert.Equal(call.Cost, rows.Where(r => r["ChargePeriodStart"] == Stamp(call.Timestamp)).Sum(r => Dec(r["BilledCost"])));
        }

        Dictionary<string, string>[] first = [.. rows.Where(r => r["ChargePeriodStart"] == Stamp(At))];
        Assert.Equal(["Input Tokens", "Cached Input Tokens", "Output Tokens"], first.Select(r => r["SkuMeter"]));
        Assert.Equal(["900", "100", "50"], first.Select(r => r["ConsumedQuantity"]));
        Assert.Equal(["gpt-4o/input/2.5", "gpt-4o/cached-input/1.25", "gpt-4o/output/10"], first.Select(r => r["SkuPriceId"]));
        Assert.Equal(["0.00225", "0.000125", "0.0005"], first.Select(r => r["BilledCost"]));
        Assert.Equal("gpt-4o", first[0]["ResourceId"]);
        Assert.Equal("2026-08-01T00:00:00.000Z", first[0]["BillingPeriodEnd"]);
        Assert.Equal("1000", first[1]["x_InputTokens"]);
        using JsonDocument tags = JsonDocument.Parse(first[0]["Tags"]);
        Assert.Equal("rerank v2", tags.RootElement.GetProperty("feature").GetString());
        Assert.Equal("acme", tags.RootElement.GetProperty("tenant").GetString());

        Assert.Equal(
            ["Input Tokens", "Cached Input Tokens", "Cache Write Tokens", "Output Tokens"],
            rows.Where(r => r["ChargePeriodStart"] == Stamp(At.AddSeconds(-2))).Select(r => r["SkuMeter"]));
        Assert.Equal(
            ["gemini-2.5-flash/input/0.3", "gemini-2.5-flash/output/2.5", "gemini-2.5-flash/reasoning/2.5"],
            rows.Where(r => r["ChargePeriodStart"] == Stamp(At.AddSeconds(-3))).Select(r => r["SkuPriceId"]));

        Dictionary<string, string> unpriced = Assert.Single(rows, r => r["ResourceId"] == "claude-x");
        Assert.Equal(("unknown", "Requests", "1", "0"), (unpriced["ProviderName"], unpriced["PricingUnit"], unpriced["PricingQuantity"], unpriced["BilledCost"]));
    }

    [Fact]
    public void A_priority_tier_call_and_cache_writes_at_a_blend_of_rates_have_their_own_price_ids()
    {
        CostRecord standard = Priced("gpt-4o", new TokenUsage(1000, 100), At);
        CostRecord priority = Priced("gpt-4o", new TokenUsage(1000, 100), At.AddSeconds(-1), serviceTier: "priority");
        CostRecord fiveMinutes = Priced("claude-3-7-sonnet", new TokenUsage(7, 10) { CacheWriteTokens = 7 }, At.AddSeconds(-2));
        CostRecord blended = Priced("claude-3-7-sonnet", new TokenUsage(7, 10) { CacheWriteTokens = 1, CacheWriteOneHourTokens = 6 }, At.AddSeconds(-3));
        var csv = new StringWriter();
        FocusExport.Write([standard, priority, fiveMinutes, blended], csv);
        List<Dictionary<string, string>> rows = Parse(csv.ToString());

        Assert.Equal(4, rows.Where(r => r["ResourceId"] == "gpt-4o").Select(r => r["SkuPriceId"]).Distinct().Count());
        Assert.All(rows.GroupBy(r => r["SkuPriceId"]), g => Assert.Single(g.Select(r => r["ListUnitPrice"]).Distinct()));
        string[] writes = [.. rows.Where(r => r["SkuMeter"] == "Cache Write Tokens").Select(r => r["SkuPriceId"])];
        Assert.Equal("claude-3-7-sonnet/cache-write/3.75", writes[0]);
        Assert.StartsWith("claude-3-7-sonnet/cache-write/5.678571428", writes[1], StringComparison.Ordinal);
        Dictionary<string, string> write = rows.Last(r => r["SkuMeter"] == "Cache Write Tokens");
        Assert.Equal(blended.CostParts!.Value.CacheWrite, Dec(write["BilledCost"]));
        Assert.Equal(Dec(write["ListCost"]), Dec(write["ListUnitPrice"]) * Dec(write["PricingQuantity"]));
    }

    private static readonly Gen<CostRecord> Calls =
        from model in Gen.Elements("gpt-4o", "gpt-4o-mini", "claude-3-7-sonnet", "gemini-2.5-flash")
        from input in Gen.Choose(0, 200_000)
        from cached in Gen.Choose(0, input)
        from write in Gen.Choose(0, input - cached)
        from writeHour in Gen.Choose(0, input - cached - write)
        from output in Gen.Choose(0, 30_000)
        from reasoning in Gen.Choose(0, output)
        from second in Gen.Choose(0, 100_000)
        from drift in Gen.Elements(0m, 0m, 0m, 0.0000001m, -0.0000003m, 0.01m)
        let call = Priced(model, new TokenUsage(input, output, cached, reasoning) { CacheWriteTokens = write, CacheWriteOneHourTokens = writeHour }, At.AddSeconds(-second))
        select call with { Cost = call.Cost + drift };

    [Property(MaxTest = 200)]
    public Property The_rows_of_a_call_add_up_to_exactly_its_cost_and_a_price_id_keeps_one_unit_price() =>
        Prop.ForAll(Gen.ArrayOf(Calls).ToArbitrary(), calls =>
        {
            // Distinct start times tell the calls' rows apart.
            CostRecord[] distinct = [.. calls.DistinctBy(c => c.Timestamp)];
            var csv = new StringWriter();
            FocusExport.Write(distinct, csv);
            List<Dictionary<string, string>> rows = Parse(csv.ToString());
            foreach (CostRecord call in distinct)
            {
                Assert.Equal(call.Cost, rows.Where(r => r["ChargePeriodStart"] == Stamp(call.Timestamp)).Sum(r => Dec(r["BilledCost"])));
            }

            Assert.All(rows, r => Assert.Equal(Dec(r["ListCost"]), Dec(r["ListUnitPrice"]) * Dec(r["PricingQuantity"])));
            Assert.All(rows.GroupBy(r => r["SkuPriceId"]), g => Assert.Single(g.Select(r => (r["ListUnitPrice"], r["ContractedUnitPrice"], r["PricingUnit"], r["SkuMeter"])).Distinct()));
        });

    private static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    internal static List<Dictionary<string, string>> Parse(string csv)
    {
        var records = new List<List<string>>();
        var field = new System.Text.StringBuilder();
        var record = new List<string>();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { record.Add(field.ToString()); field.Clear(); records.Add(record); record = []; }
            else field.Append(c);
        }

        List<string> header = records[0];
        return [.. records.Skip(1).Select(r =>
        {
            Assert.Equal(header.Count, r.Count);
            return header.Zip(r).ToDictionary(p => p.First, p => p.Second);
        })];
    }
}
