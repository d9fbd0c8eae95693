using System.Text.RegularExpressions;
using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class FinOpsHtmlTests
{
    private static string Section(string html, string id) =>
        Regex.Match(html, $"<section id=\"{id}\">.*?</section>", RegexOptions.Singleline).Value;

    [Fact]
    public async Task The_html_report_shows_each_teams_forecast_the_anomalous_days_and_the_pools()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(
        [
            .. GeneratedLedger.Calls(seed: 1, team: "search", spike: day => day == 40 ? 3.0 : 1.0),
            .. GeneratedLedger.Calls(seed: 2, team: "support"),
        ]);
        using var files = new CliFixture();
        string pools = files.File("pools.json", """[{ "name": "h100", "costPerHour": 2, "models": ["gpt-4o-mini"], "capacityTokensPerSecond": 100 }]""");
        string html = files.File("report.html", string.Empty);

        string budgets = files.File("budgets.json", """[{ "Name": "monthly", "Dimensions": "Team", "Limits": { "MaximumCost": 900 } }]""");

        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--format", "html", "--out", html, "--pools", pools, "--budgets", budgets);

        Assert.Equal((0, string.Empty), (code, error));
        string page = File.ReadAllText(html);
        string forecast = Section(page, "forecast");
        Assert.Contains("<h2>Forecast, 14 days from 2026-05-01</h2>", forecast, StringComparison.Ordinal);
        Assert.Matches(@"<tr><td>search</td><td class=""n"">\$\d{3}\.\d\d", forecast);
        Assert.Contains("<td>support</td>", forecast, StringComparison.Ordinal);
        Assert.Matches(@"<tr><td>2026-04-11</td><td>search</td>", Section(page, "anomalies"));
        Assert.Matches(@"<tr><td>monthly</td><td>team=search</td><td>2026-05-01 to 2026-05-31</td><td class=""n"">\$900\.00</td><td class=""n"">\$0\.00</td><td class=""n"">\$\d,\d{3}\.\d+ \(.*\)</td><td>2026-05-2\d \(2026-05-\d\d to 2026-05-\d\d\)</td></tr>", Section(page, "runway"));

        // 60 days × 24 h × $2 = $2,880; 60 × 4 calls × 1,500 tokens × 2 teams of 518.4 M tokens of capacity.
        string pool = Section(page, "pools");
        Assert.Contains("<td>h100</td><td>search</td><td class=\"n\">360,000</td><td class=\"n\">$2.00</td>", pool, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"total\"><td>h100</td><td>2026-03-02 to 2026-04-30</td><td class=\"n\"></td><td class=\"n\">$2,880.00</td>", pool, StringComparison.Ordinal);
        Assert.Contains("<td>idle</td><td class=\"n\"></td><td class=\"n\">$2,876.00</td>", pool, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Budgets_outside_html_point_to_the_forecast_command()
    {
        string ledger = await LedgerFixture.WriteAsync();
        using var files = new CliFixture();

        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--budgets", files.File("budgets.json", "[]"));

        Assert.Equal(1, code);
        Assert.Equal("error: --budgets works with --format html; aicostguard forecast --budgets prints the runway.", error.Trim());
    }

    [Fact]
    public async Task A_short_ledger_says_how_much_history_a_forecast_needs_and_finds_no_anomaly()
    {
        string ledger = await LedgerFixture.WriteAsync();
        using var files = new CliFixture();
        string html = files.File("report.html", string.Empty);

        (int code, _, _) = LedgerFixture.Run("report", "--ledger", ledger, "--format", "html", "--out", html);

        Assert.Equal(0, code);
        string page = File.ReadAllText(html);
        Assert.Contains("<p class=\"sub\">search: 5 days of history; a forecast needs 14.</p>", Section(page, "forecast"), StringComparison.Ordinal);
        Assert.Contains("None: no day departs", Section(page, "anomalies"), StringComparison.Ordinal);
        Assert.Empty(Section(page, "pools"));
        Assert.Empty(Section(page, "runway"));
    }
}
