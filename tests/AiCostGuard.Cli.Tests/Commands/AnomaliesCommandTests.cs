using System.Globalization;
using System.Text.Json;
using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class AnomaliesCommandTests
{
    [Fact]
    public async Task Json_follows_the_contract_highest_score_first_per_group()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(
        [
            .. GeneratedLedger.Calls(seed: 1, team: "search", spike: day => day == 40 ? 3.0 : 1.0),
            .. GeneratedLedger.Calls(seed: 2, slope: 0.1, team: "support", spike: day => day == 45 ? 0.05 : day == 50 ? 6.0 : 1.0),
        ]);

        (int code, string output, string error) = LedgerFixture.Run("anomalies", "--ledger", ledger, "--by", "team", "--json");

        Assert.Equal((0, string.Empty), (code, error));
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(["anomalies"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        JsonElement[] anomalies = [.. doc.RootElement.GetProperty("anomalies").EnumerateArray()];
        Assert.Equal(3, anomalies.Length);
        Assert.All(anomalies, a => Assert.Equal(["date", "key", "cost", "expected", "score"], a.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(("2026-04-21", "support"), (anomalies[0].GetProperty("date").GetString(), anomalies[0].GetProperty("key").GetProperty("team").GetString()));
        Assert.Equal(
            ["2026-04-11 search", "2026-04-16 support", "2026-04-21 support"],
            anomalies.Select(a => $"{a.GetProperty("date").GetString()} {a.GetProperty("key").GetProperty("team").GetString()}").Order(StringComparer.Ordinal));
        Assert.True(anomalies.Zip(anomalies.Skip(1)).All(p => p.First.GetProperty("score").GetDouble() >= p.Second.GetProperty("score").GetDouble()));
        Assert.All(anomalies, a => Assert.Equal(JsonValueKind.Number, a.GetProperty("cost").ValueKind));
    }

    [Fact]
    public async Task Text_under_a_german_culture_keeps_invariant_numbers_and_a_quiet_ledger_says_so()
    {
        string spiky = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 3, spike: day => day == 30 ? 4.0 : 1.0));
        string quiet = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 4));
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            (int code, string output, _) = LedgerFixture.Run("anomalies", "--ledger", spiky);
            Assert.Equal(0, code);
            Assert.Matches(@"^2026-04-01  all  \d+\.\d+ USD, expected \d+\.\d+, score \d+\.\d\d\r?\n$", output);

            (code, output, _) = LedgerFixture.Run("anomalies", "--ledger", quiet, "--threshold", "6.5");
            Assert.Equal(0, code);
            Assert.StartsWith("No anomaly: every day with 21 days of history before it is within 6.5 robust deviations", output, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task A_torn_line_is_named_and_the_rest_of_the_ledger_is_read()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 5, days: 30, spike: day => day == 25 ? 5.0 : 1.0));
        File.AppendAllText(GeneratedLedgerFile.LastFile(ledger), "{\"schema\":1,\"kind\":\"call\"\n{\"schema\":2,\"kind\":\"call\"}\n");

        (int code, string output, string error) = LedgerFixture.Run("anomalies", "--ledger", ledger, "--json");

        Assert.Equal(0, code);
        string[] warnings = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, warnings.Length);
        Assert.Matches(@"^warning: skipped .*\.jsonl:5: incomplete or malformed line", warnings[0]);
        Assert.Matches(@"^warning: skipped .*\.jsonl:6: schema 2 is not supported", warnings[1]);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal("2026-03-27", Assert.Single(doc.RootElement.GetProperty("anomalies").EnumerateArray()).GetProperty("date").GetString());
    }

    [Fact]
    public async Task A_ledger_too_short_to_score_says_how_much_history_is_needed()
    {
        string ledger = await LedgerFixture.WriteAsync();

        (int code, string output, string error) = LedgerFixture.Run("anomalies", "--ledger", ledger, "--json");

        Assert.Equal(0, code);
        Assert.Equal("warning: the ledger spans 5 days; a day is scored against the 21 days before it, so no day could be scored", error.Trim());
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(0, doc.RootElement.GetProperty("anomalies").GetArrayLength());
    }

    [Theory]
    [InlineData("--by", "day", "--by 'day' is not one of team, feature, model")]
    [InlineData("--threshold", "0.5", "--threshold 0.5 is outside 1 to 1000.")]
    [InlineData("--threshold", "4,5", "--threshold '4,5' is not a number such as 4.5.")]
    [InlineData("--ledger", "/no/such/ledger", "No ledger file or directory at '/no/such/ledger'.")]
    public async Task Bad_input_exits_non_zero_with_a_one_line_error(string option, string value, string message)
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 6, days: 25));
        string[] args = option == "--ledger" ? ["anomalies", option, value] : ["anomalies", "--ledger", ledger, option, value];

        (int code, _, string error) = LedgerFixture.Run(args);

        Assert.Equal(1, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
