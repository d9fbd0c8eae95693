using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class ReportOptionsTests
{
    [Fact]
    public async Task Json_is_the_same_as_format_json_and_conflicts_with_another_format()
    {
        string ledger = await LedgerFixture.WriteAsync();
        (int code, string json, _) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--json");
        Assert.Equal(0, code);
        Assert.Equal(LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--format", "json").Output, json);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal(25, doc.RootElement.GetProperty("total").GetProperty("calls").GetInt32());

        BadInputTests.AssertRefused(LedgerFixture.Run("report", "--ledger", ledger, "--json", "--format", "csv"), "--json and --format csv ask for two formats");
    }

    [Fact]
    public async Task Since_and_until_keep_the_records_of_the_half_open_range()
    {
        // The fixture has 5 calls a day from 2026-07-20 to 2026-07-24.
        string ledger = await LedgerFixture.WriteAsync();
        Assert.Equal(10, Calls(LedgerFixture.Run("report", "--ledger", ledger, "--json", "--since", "2026-07-21", "--until", "2026-07-23")));
        Assert.Equal(15, Calls(LedgerFixture.Run("report", "--ledger", ledger, "--json", "--since", "2026-07-22")));
        Assert.Equal(5, Calls(LedgerFixture.Run("report", "--ledger", ledger, "--json", "--until", "2026-07-21T00:00:00Z")));
        Assert.Equal(2, Calls(LedgerFixture.Run("report", "--ledger", ledger, "--json", "--since", "2026-07-20T09:03", "--until", "2026-07-20T11:05:00+02:00")));

        BadInputTests.AssertRefused(LedgerFixture.Run("report", "--ledger", ledger, "--since", "2026-07-23", "--until", "2026-07-21"), "must be before --until");
        BadInputTests.AssertRefused(LedgerFixture.Run("report", "--ledger", ledger, "--since", "21/07/2026"), "--since '21/07/2026' is not a UTC date");

        string csv = Path.Combine(ledger, "focus.csv");
        Assert.Contains("Wrote 5 FOCUS rows", LedgerFixture.Run("export", "focus", "--ledger", ledger, "--since", "2026-07-24", "--out", csv).Output, StringComparison.Ordinal);

        static int Calls((int Code, string Output, string Error) r)
        {
            Assert.True(r.Code == 0, r.Error);
            using JsonDocument doc = JsonDocument.Parse(r.Output);
            return doc.RootElement.GetProperty("total").GetProperty("calls").GetInt32();
        }
    }

    [Fact]
    public async Task By_groups_by_tenant_user_cost_center_and_provider()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(Call("acme", "ann", "cc-1", "openai", 1m));
            ledger.Record(Call("acme", "ann", "cc-1", "openai", 2m));
            ledger.Record(Call("globex", "bob", "cc-2", "anthropic", 4m));
        }

        (int code, string output, string error) = LedgerFixture.Run("report", "--ledger", dir, "--by", "provider,cost-center,user,tenant", "--json");
        Assert.True(code == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(["tenant", "user", "costCenter", "provider"], doc.RootElement.GetProperty("groupBy").EnumerateArray().Select(e => e.GetString()));
        JsonElement acme = doc.RootElement.GetProperty("rows")[0];
        Assert.Equal(("acme", "ann", "cc-1", "openai", 3m), (acme.GetProperty("tenant").GetString(), acme.GetProperty("user").GetString(), acme.GetProperty("costCenter").GetString(), acme.GetProperty("provider").GetString(), acme.GetProperty("costUsd").GetDecimal()));

        (_, string table, _) = LedgerFixture.Run("report", "--ledger", dir, "--by", "cost_center");
        Assert.StartsWith("cost_center ", table, StringComparison.Ordinal);

        static CostRecord Call(string tenant, string user, string center, string provider, decimal cost) => new()
        {
            Timestamp = LedgerFixture.Start,
            ModelId = "gpt-4o",
            Provider = provider,
            Attribution = new CostAttribution { Tenant = tenant, User = user, CostCenter = center },
            Cost = cost,
            Outcome = CallOutcome.Succeeded,
        };
    }

    [Fact]
    public async Task Hostile_model_ids_are_neutralized_in_the_CSV_report_and_made_visible_in_the_terminal_table()
    {
        string[] models = ["=HYPERLINK(\"http://evil/\")/gpt-4o-mini", "+1+1", "@A1", "gpt\r-4o", "\u001b[31mred\u0007", "gpt-\u202Eevil"];
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            foreach (string model in models)
            {
                ledger.Record(new CostRecord { Timestamp = LedgerFixture.Start, ModelId = model, Cost = 0.01m, InputTokens = 10, Outcome = CallOutcome.Succeeded });
            }
        }

        (int code, string csv, string error) = LedgerFixture.Run("report", "--ledger", dir, "--by", "model", "--format", "csv");
        Assert.True(code == 0, error);
        List<Dictionary<string, string>> rows = AiCostGuard.Tests.Shared.CsvRecords.Parse(csv);
        Assert.Equal(models.Length, rows.Count);
        Assert.All(rows, r => Assert.False("=+-@\t\r".Contains(r["model"][0], StringComparison.Ordinal), r["model"]));
        Assert.Contains(rows, r => r["model"] == "'=HYPERLINK(\"http://evil/\")/gpt-4o-mini");
        Assert.Contains(rows, r => r["model"] == "gpt\r-4o");

        (code, string table, _) = LedgerFixture.Run("report", "--ledger", dir, "--by", "model");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', table);
        Assert.DoesNotContain('\u0007', table);
        Assert.DoesNotContain('\u202E', table);
        Assert.DoesNotContain('\r', table);
        Assert.Contains("\\u001B[31mred\\u0007", table, StringComparison.Ordinal);
        Assert.Contains("gpt-\\u202Eevil", table, StringComparison.Ordinal);
        Assert.Equal(models.Length + 2, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
