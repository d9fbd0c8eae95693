namespace AiCostGuard.Cli.Tests.Commands;

public sealed class CultureInvarianceTests
{
    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public async Task The_html_report_groups_thousands_with_a_comma_in_every_culture()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-culture-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            for (int i = 0; i < 1234; i++)
            {
                ledger.Record(new CostRecord
                {
                    Timestamp = LedgerFixture.Start.AddSeconds(i),
                    Attribution = new CostAttribution { Team = "search" },
                    ModelId = "gpt-4o-mini",
                    InputTokens = 10,
                    OutputTokens = 2,
                    Cost = 0.0125m,
                    CostSource = CostSource.ProviderReported,
                    Outcome = CallOutcome.Succeeded,
                });
            }
        }

        string html = Path.Combine(dir, "report.html");
        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", dir, "--by", "team", "--format", "html", "--out", html);

        Assert.True(code == 0, error);
        string source = File.ReadAllText(html);
        Assert.Contains("<td class=\"n\">1,234</td>", source, StringComparison.Ordinal);
        Assert.Contains("$15.43", source, StringComparison.Ordinal);
    }
}
