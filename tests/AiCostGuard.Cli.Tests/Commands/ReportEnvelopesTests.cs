using System.Text.RegularExpressions;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class ReportEnvelopesTests
{
    [Fact]
    public async Task The_html_report_shows_each_envelope_s_ceiling_over_time_and_why_it_moved()
    {
        var start = new DateTimeOffset(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(new CostRecord { Timestamp = start, Attribution = new CostAttribution { Team = "support" }, ModelId = "gpt-4o", Cost = 3m, Outcome = CallOutcome.Succeeded });
            ledger.Record(new EnvelopeStep("support-envelope", "team=support", start, EnvelopeChange.PeriodStart, 4m, 0m, 0, null));
            ledger.Record(new EnvelopeStep("support-envelope", "team=support", start.AddMinutes(1), EnvelopeChange.GateClosed, 4m, 3m, 1, 3m));
            ledger.Record(new EnvelopeStep("support-envelope", "team=support", start.AddMinutes(3), EnvelopeChange.GateOpened, 10m, 3m, 3, 1m));
        }

        using var files = new CliFixture();
        string html = files.File("report.html", string.Empty);
        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", dir, "--format", "html", "--out", html);

        Assert.Equal((0, string.Empty), (code, error));
        string section = Regex.Match(File.ReadAllText(html), "<section id=\"envelopes\">.*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("<tr><td>support-envelope</td><td>team=support</td><td>2026-07-20 09:00:00</td><td>period start: the base</td><td class=\"n\">$4.00</td>", section, StringComparison.Ordinal);
        Assert.Contains("<td>2026-07-20 09:01:00</td><td>review gate closed: cost per success above target</td><td class=\"n\">$4.00</td><td class=\"n\">$3.00</td><td class=\"n\">1</td><td class=\"n\">$3.00</td>", section, StringComparison.Ordinal);
        Assert.Contains("<td>review gate opened: caught up with the successes</td><td class=\"n\">$10.00</td>", section, StringComparison.Ordinal);
    }
}
