using System.Diagnostics;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class HtmlReportTests
{
    // Installed on first use on a fresh Debian machine, as .ci/run does.
    private static string Chromium => AiCostGuard.Tests.Shared.DebianPackage.Ensure("chromium", "chromium");

    [Fact]
    public async Task The_html_report_renders_offline_in_headless_Chromium_with_charts_by_team_and_feature()
    {
        string ledger = await LedgerFixture.WriteAsync();
        string html = Path.Combine(ledger, "report.html");
        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--format", "html", "--out", html);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);

        string source = File.ReadAllText(html);
        Assert.DoesNotContain("<script", source, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", source.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", source, StringComparison.Ordinal);

        string dom = await RunChromiumAsync("--dump-dom", "file://" + html);
        int teamChart = dom.IndexOf("<svg id=\"spend-by-team\"", StringComparison.Ordinal);
        int featureChart = dom.IndexOf("<svg id=\"spend-by-feature\"", StringComparison.Ordinal);
        Assert.True(teamChart >= 0 && featureChart > teamChart, "both charts are rendered");
        string teams = dom[teamChart..featureChart];
        foreach (string team in new[] { "search", "support", "finance" })
        {
            Assert.Equal(5, Count(teams, $"class=\"bar\" data-series=\"{team}\""));
            Assert.Contains($"data-series=\"{team}\"><rect", teams, StringComparison.Ordinal);
        }

        string features = dom[featureChart..];
        Assert.Equal(25, Count(features, "class=\"bar\""));
        Assert.Contains("Spend (US dollars)", teams, StringComparison.Ordinal);
        Assert.Contains("Day (UTC)", teams, StringComparison.Ordinal);
        Assert.Contains("finance: $1.65", teams, StringComparison.Ordinal);
        Assert.Contains("All: $3.14", teams, StringComparison.Ordinal);
        Assert.Contains("Total spend<b>$3.14</b>", dom, StringComparison.Ordinal);

        string png = Path.Combine(Path.GetTempPath(), "aicostguard-report.png");
        File.Delete(png);
        await RunChromiumAsync("--screenshot=" + png, "--window-size=1100,1500", "file://" + html);
        Assert.True(new FileInfo(png).Length > 10_000);
    }

    [Fact]
    public async Task In_Chromium_no_chart_text_overlaps_another_even_with_sub_cent_axis_labels()
    {
        // The fixture's spend is in dollars; a ledger of sub-cent calls gives the widest tick labels ("$0.003750").
        string ledger = await LedgerFixture.WriteAsync(costScale: 0.001m);
        string html = Path.Combine(ledger, "report.html");
        Assert.Equal(0, LedgerFixture.Run("report", "--ledger", ledger, "--format", "html", "--out", html).Code);
        Assert.Contains("$0.00", File.ReadAllText(html), StringComparison.Ordinal);

        // The report has no script; a copy with one measures what Chromium laid out.
        string probe = Path.Combine(ledger, "probe.html");
        File.WriteAllText(probe, File.ReadAllText(html).Replace("</body>", """
            <script>
            const overlaps = [];
            for (const svg of document.querySelectorAll('svg')) {
              const texts = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
              for (let i = 0; i < texts.length; i++)
                for (let j = i + 1; j < texts.length; j++) {
                  const [a, r] = texts[i], [b, q] = texts[j];
                  if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) overlaps.push(a + ' / ' + b);
                }
            }
            document.body.setAttribute('data-checked', document.querySelectorAll('svg text').length);
            document.body.setAttribute('data-overlaps', overlaps.join(' | ') || 'none');
            </script></body>
            """, StringComparison.Ordinal));

        string dom = await RunChromiumAsync("--window-size=1100,1500", "--dump-dom", "file://" + probe);

        Assert.Contains("data-overlaps=\"none\"", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("data-checked=\"0\"", dom, StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<string> RunChromiumAsync(params string[] args)
    {
        string profile = Directory.CreateTempSubdirectory("aicostguard-chromium-").FullName;
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process chromium = Process.Start(start)!;
        Task<string> stdout = chromium.StandardOutput.ReadToEndAsync();
        Task<string> stderr = chromium.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await chromium.WaitForExitAsync(timeout.Token);
        string output = await stdout;
        Assert.True(chromium.ExitCode == 0, $"chromium exited with {chromium.ExitCode}: {await stderr}");
        return output;
    }
}
