using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class ReportCommandTests
{
    [Fact]
    public async Task Table_shows_cost_per_run_and_per_success_by_team_with_a_total()
    {
        string ledger = await LedgerFixture.WriteAsync();
        (int code, string output, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("team ", lines[0], StringComparison.Ordinal);
        Assert.Contains("cost_per_success_usd", lines[0], StringComparison.Ordinal);
        Assert.Equal(["finance", "search", "support", "total"], lines[1..].Select(l => l.Split(' ')[0]));

        // search: (0.0125 + 0.004) × (1+2+3+4+5) = 0.2475 over 10 runs.
        string[] search = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["search", "10", "10"], search[..3]);
        Assert.Equal("0.2475", search[5]);
        Assert.Equal("0.02475", search[6]);
    }

    [Fact]
    public async Task Json_and_csv_carry_the_same_numbers_grouped_by_model_and_day()
    {
        string ledger = await LedgerFixture.WriteAsync();
        (int code, string json, _) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "model,day", "--format", "json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal(["model", "day"], doc.RootElement.GetProperty("groupBy").EnumerateArray().Select(e => e.GetString()));
        JsonElement first = doc.RootElement.GetProperty("rows")[0];
        Assert.Equal("claude-sonnet-4-5", first.GetProperty("model").GetString());
        Assert.Equal("2026-07-20", first.GetProperty("day").GetString());
        Assert.Equal(0.031m, first.GetProperty("costUsd").GetDecimal());
        Assert.Equal(25, doc.RootElement.GetProperty("total").GetProperty("calls").GetInt32());

        (code, string csv, _) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "model,day", "--format", "csv");
        Assert.Equal(0, code);
        Assert.StartsWith("model,day,calls,runs", csv, StringComparison.Ordinal);
        Assert.Contains("claude-sonnet-4-5,2026-07-20,1,1,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_savings_are_reported_beside_the_cost()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-cache-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            var attribution = new CostAttribution { Team = "search" };
            ledger.Record(new CostRecord { Timestamp = LedgerFixture.Start, Attribution = attribution, ModelId = "gpt-4o", InputTokens = 100, Cost = 0.25m, Outcome = CallOutcome.Succeeded });
            ledger.Record(new CostRecord { Timestamp = LedgerFixture.Start, Attribution = attribution, ModelId = "gpt-4o", Cost = 0m, AvoidedCost = 0.25m, Outcome = CallOutcome.Succeeded });
        }

        (int code, string json, _) = LedgerFixture.Run("report", "--ledger", dir, "--by", "team", "--format", "json");
        (int tableCode, string table, _) = LedgerFixture.Run("report", "--ledger", dir, "--by", "team");

        Assert.Equal((0, 0), (code, tableCode));
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement total = doc.RootElement.GetProperty("total");
        Assert.Equal((2, 0.25m, 0.25m), (total.GetProperty("calls").GetInt32(), total.GetProperty("costUsd").GetDecimal(), total.GetProperty("cacheSavingsUsd").GetDecimal()));
        Assert.EndsWith("cache_savings_usd", table.Split('\n')[0].TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--by", "colour", "--by 'colour' is not one of")]
    [InlineData("--format", "pdf", "--format 'pdf' is not one of")]
    [InlineData("--ledger", "/no/such/ledger.jsonl", "No ledger file or directory")]
    public async Task Bad_input_exits_non_zero_with_a_one_line_error(string option, string value, string message)
    {
        string ledger = await LedgerFixture.WriteAsync();
        string[] args = option == "--ledger" ? ["report", option, value] : ["report", "--ledger", ledger, option, value];
        (int code, _, string error) = LedgerFixture.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_file_that_is_not_a_ledger_is_refused()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "{\"hello\":1}\n");
        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", path);
        Assert.Equal(1, code);
        Assert.Contains("holds no readable ledger record", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_focus_writes_one_usage_row_per_call_sent()
    {
        string ledger = await LedgerFixture.WriteAsync();
        string csv = Path.Combine(ledger, "focus.csv");
        (int code, string output, _) = LedgerFixture.Run("export", "focus", "--ledger", ledger, "--out", csv);
        Assert.Equal(0, code);
        Assert.Contains("Wrote 25 FOCUS rows", output, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(26, lines.Length);
        Assert.StartsWith("BilledCost,BillingAccountId", lines[0], StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.Contains(",Usage,,", l, StringComparison.Ordinal));
    }
}
