using System.Globalization;
using System.Text.Json;
using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class ForecastCommandTests
{
    [Fact]
    public async Task Json_follows_the_contract_with_one_group_per_team_and_money_as_numbers()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync([.. GeneratedLedger.Calls(seed: 1, team: "search"), .. GeneratedLedger.Calls(seed: 2, level: 5, team: "support")]);

        (int code, string output, string error) = LedgerFixture.Run("forecast", "--ledger", ledger, "--by", "team", "--json");

        Assert.Equal((0, string.Empty), (code, error));
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal(["asOf", "horizonDays", "groups", "shortHistories"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-05-01", root.GetProperty("asOf").GetString());
        Assert.Equal(14, root.GetProperty("horizonDays").GetInt32());
        JsonElement[] groups = [.. root.GetProperty("groups").EnumerateArray()];
        Assert.Equal(["search", "support"], groups.Select(g => g.GetProperty("key").GetProperty("team").GetString()));
        foreach (JsonElement g in groups)
        {
            Assert.Equal(["key", "total", "daily"], g.EnumerateObject().Select(p => p.Name));
            Assert.Equal(["cost", "low", "high"], g.GetProperty("total").EnumerateObject().Select(p => p.Name));
            Assert.All(g.GetProperty("total").EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
            JsonElement[] daily = [.. g.GetProperty("daily").EnumerateArray()];
            Assert.Equal(14, daily.Length);
            Assert.Equal(["date", "cost", "low", "high"], daily[0].EnumerateObject().Select(p => p.Name));
            Assert.Equal("2026-05-01", daily[0].GetProperty("date").GetString());
            Assert.Equal("2026-05-14", daily[13].GetProperty("date").GetString());
            Assert.Equal(g.GetProperty("total").GetProperty("cost").GetDecimal(), daily.Sum(d => d.GetProperty("cost").GetDecimal()));
        }

        // search ends near 20 + 0.25 × 60 = 35 a day, support near 5 + 15 = 20.
        Assert.InRange(groups[0].GetProperty("total").GetProperty("cost").GetDecimal(), 14 * 35 * 0.9m, 14 * 37 * 1.1m);
    }

    [Fact]
    public async Task Text_under_a_german_culture_keeps_invariant_numbers_and_shows_the_runway_of_each_budget()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 3, days: 45));
        using var files = new CliFixture();
        string budgets = files.File("budgets.json", """
            { "AiCostGuard": { "PeriodBudgets": [
                { "Name": "monthly", "Period": "Monthly", "Limits": { "MaximumCost": 800 } },
                { "name": "per-team", "period": "weekly", "dimensions": "Team", "limits": { "maximumCost": 100000 } },
                { "Name": "rolling", "Period": "Rolling", "RollingWindow": "1.00:00:00", "Limits": { "MaximumCost": 5 } } ] } }
            """);
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            (int code, string output, string error) = LedgerFixture.Run("forecast", "--ledger", ledger, "--budgets", budgets, "--horizon", "7");

            Assert.Equal(0, code);
            Assert.Equal("warning: budget 'rolling' has no run-out date (a rolling window, or no MaximumCost)", error.Trim());
            Assert.StartsWith("all: ", output, StringComparison.Ordinal);
            Assert.Contains("over 7 days from 2026-04-16", output, StringComparison.Ordinal);
            Assert.Matches(@"  2026-04-16 +\d+\.\d{2}", output);
            Assert.DoesNotMatch(@"\d,\d{2}", output);
            Assert.Matches(@"budget monthly all: \d+\.\d+ of 800\.00 USD spent since 2026-04-01, projected .*; runs out 2026-04-\d\d \(80 %: 2026-04-\d\d to 2026-04-\d\d\)", output);
            Assert.Contains("budget per-team team=search: ", output, StringComparison.Ordinal);
            Assert.Contains("holds to 2026-04-19", output, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task Json_runway_names_the_day_the_budget_runs_out_and_its_interval()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 4, days: 45, noise: 0));
        using var files = new CliFixture();
        string budgets = files.File("budgets.json", """[{ "Name": "monthly", "Limits": { "MaximumCost": 800 } }]""");

        (int code, string output, _) = LedgerFixture.Run("forecast", "--ledger", ledger, "--budgets", budgets, "--json");

        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement runway = Assert.Single(doc.RootElement.GetProperty("runway").EnumerateArray());
        Assert.Equal(["budget", "key", "periodStart", "periodEnd", "limit", "spent", "historyDays", "projected", "runsOut", "runsOutEarliest", "runsOutLatest"], runway.EnumerateObject().Select(p => p.Name));
        Assert.Equal("all", runway.GetProperty("key").GetString());
        Assert.Equal(800m, runway.GetProperty("limit").GetDecimal());
        Assert.Equal("2026-05-01", runway.GetProperty("periodEnd").GetString());

        // Without noise: April 1–15 spend 443.375; at 32 to 35 a day on weekdays the remaining 356.625 last to April 27.
        Assert.Equal(443.375m, runway.GetProperty("spent").GetDecimal());
        Assert.Equal("2026-04-27", runway.GetProperty("runsOut").GetString());
    }

    [Fact]
    public async Task Several_ledgers_are_read_as_one_and_a_torn_line_is_named_but_does_not_stop_the_forecast()
    {
        string first = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 5, days: 30));
        string second = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 6, days: 30, team: "support"));
        File.AppendAllText(GeneratedLedgerFile.LastFile(second), """{"schema":1,"kind":"call","ts":"2026-""");

        (int code, string output, string error) = LedgerFixture.Run("forecast", "--ledger", first, second, "--by", "team", "--json");

        Assert.Equal(0, code);
        Assert.Matches(@"^warning: skipped .*\.jsonl:5: the last line has no line end", error);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(2, doc.RootElement.GetProperty("groups").GetArrayLength());
    }

    [Fact]
    public void Schema_1_lines_as_the_first_ledger_writer_wrote_them_are_read()
    {
        // The fields every schema-1 writer has written; the optional ones (attribution, model, trace) left out.
        using var files = new CliFixture();
        string ledger = files.File("old.jsonl", string.Concat(Enumerable.Range(0, 21).Select(day => FormattableString.Invariant(
            $$"""{"schema":1,"kind":"call","ts":"2026-01-{{day + 1:00}}T10:00:00+00:00","durationMs":812.5,"streaming":false,"inputTokens":900,"cachedInputTokens":0,"outputTokens":120,"reasoningTokens":0,"estimatedInputTokens":880,"estimatePrecision":"Exact","cost":{{1 + (day % 7 == 5 ? 0 : 0.5)}},"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":4096,"outcome":"Succeeded"}""") + "\n")));

        (int code, string output, string error) = LedgerFixture.Run("forecast", "--ledger", ledger, "--horizon", "7", "--json");

        Assert.Equal((0, string.Empty), (code, error));
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal("2026-01-22", doc.RootElement.GetProperty("asOf").GetString());
        Assert.InRange(doc.RootElement.GetProperty("groups")[0].GetProperty("total").GetProperty("cost").GetDecimal(), 9m, 11m);
    }

    [Fact]
    public async Task Too_little_history_says_how_much_is_needed()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 7, days: 9));

        (int code, string output, string error) = LedgerFixture.Run("forecast", "--ledger", ledger);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("error: Too little history to forecast: all has 9 days before 2026-03-11; a forecast needs at least 14 days.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--by", "day", "--by 'day' is not one of team, feature, model")]
    [InlineData("--by", "colour", "--by 'colour' is not one of")]
    [InlineData("--as-of", "01/04/2026", "--as-of '01/04/2026' is not a date in the form YYYY-MM-DD.")]
    [InlineData("--horizon", "0", "--horizon 0 is outside 1 to 366 days.")]
    [InlineData("--budgets", """[{"Name": "m", "Period": "Fortnightly", "Limits": {"MaximumCost": 1}}]""", "budgets.json at $[0].Period:")]
    [InlineData("--budgets", """[{"Name": "m", "Limits": {"MaximumCost": -1}}]""", "budgets.json: [0].Limits.MaximumCost:")]
    [InlineData("--budgets", """[{"Name": "m", "Limit": {"MaximumCost": 1}}]""", "budgets.json at $[0].Limit:")]
    [InlineData("--budgets", """{"PeriodBudgets": [""", "budgets.json")]
    [InlineData("--budgets", """{"Budgets": []}""", "budgets.json: expected an array of period budgets")]
    public async Task Bad_input_exits_non_zero_with_a_one_line_error(string option, string value, string message)
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 8, days: 20));
        using var files = new CliFixture();
        string argument = option == "--budgets" ? files.File("budgets.json", value) : value;

        (int code, _, string error) = LedgerFixture.Run("forecast", "--ledger", ledger, option, argument);

        Assert.Equal(1, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
