using System.Globalization;
using System.Text.Json;

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
    ];

    private static readonly DateTimeOffset At = new(2026, 7, 31, 23, 59, 59, TimeSpan.Zero);

    [Fact]
    public void Rows_follow_the_FOCUS_column_rules()
    {
        CostRecord[] calls =
        [
            new() { Timestamp = At, Duration = TimeSpan.FromSeconds(2), ModelId = "gpt-4o", Provider = "openai", InputTokens = 1000, CachedInputTokens = 100, OutputTokens = 50, Cost = 0.0033375m, Attribution = new CostAttribution { Team = "search", Feature = "rerank v2", Tenant = "acme" }, ScopeName = "run", ScopeId = "r1", Outcome = CallOutcome.Succeeded },
            new() { Timestamp = At, ModelId = "claude-x", Outcome = CallOutcome.Cancelled, Cost = 0m, CostSource = CostSource.Unpriced },
            new() { Timestamp = At, ModelId = "gpt-4o", Outcome = CallOutcome.NotSent, Decision = BudgetDecision.Rejected },
        ];
        var csv = new StringWriter();
        int written = FocusExport.Write(calls, csv, "acct-1");

        List<Dictionary<string, string>> rows = Parse(csv.ToString());
        Assert.Equal(2, written);
        Assert.Equal(2, rows.Count);
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
            decimal listCost = decimal.Parse(row["ListCost"], CultureInfo.InvariantCulture);
            Assert.Equal(listCost, decimal.Parse(row["ListUnitPrice"], CultureInfo.InvariantCulture) * decimal.Parse(row["PricingQuantity"], CultureInfo.InvariantCulture));
            Assert.Equal(row["BilledCost"], row["EffectiveCost"]);
            Assert.Equal(row["ContractedCost"], row["ContractedUnitPrice"]);
            DateTime start = DateTime.Parse(row["ChargePeriodStart"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            DateTime end = DateTime.Parse(row["ChargePeriodEnd"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.True(end > start);
            Assert.True(DateTime.Parse(row["BillingPeriodStart"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) <= start);
            Assert.True(DateTime.Parse(row["BillingPeriodEnd"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) >= end);
            Assert.Equal("acct-1", row["BillingAccountId"]);
        }

        Assert.Equal("0.0033375", rows[0]["BilledCost"]);
        Assert.Equal("1050", rows[0]["ConsumedQuantity"]);
        Assert.Equal("Tokens", rows[0]["ConsumedUnit"]);
        Assert.Equal("gpt-4o", rows[0]["ResourceId"]);
        Assert.Equal("2026-08-01T00:00:00.000Z", rows[0]["BillingPeriodEnd"]);
        using JsonDocument tags = JsonDocument.Parse(rows[0]["Tags"]);
        Assert.Equal("rerank v2", tags.RootElement.GetProperty("feature").GetString());
        Assert.Equal("acme", tags.RootElement.GetProperty("tenant").GetString());
        Assert.Equal("unknown", rows[1]["ProviderName"]);
    }

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
