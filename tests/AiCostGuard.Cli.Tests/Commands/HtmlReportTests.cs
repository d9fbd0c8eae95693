using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

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

        int modelChart = dom.IndexOf("<svg id=\"spend-by-model\"", StringComparison.Ordinal);
        Assert.True(modelChart > featureChart, "the model chart follows");
        Assert.Equal(25, Count(dom[featureChart..modelChart], "class=\"bar\""));
        Assert.Equal(15, Count(dom[modelChart..], "class=\"bar\""));
        Assert.Contains("Spend (US dollars)", teams, StringComparison.Ordinal);
        Assert.Contains("Day (UTC)", teams, StringComparison.Ordinal);
        // One precision for every amount: the smallest (a cost per run of $0.012) needs three decimals.
        Assert.Contains("finance: $1.650", teams, StringComparison.Ordinal);
        Assert.Contains("All: $3.143", teams, StringComparison.Ordinal);
        Assert.Contains("Total spend<b>$3.143</b>", dom, StringComparison.Ordinal);

        // The budgets' decisions: the fixture's 25 calls were sent unchanged, one more was refused.
        Assert.Contains("<tr data-decision=\"Allowed\"><td>Allowed</td><td class=\"n\">25</td><td class=\"n\">0</td><td class=\"n\">$3.143</td></tr>", dom, StringComparison.Ordinal);
        Assert.Contains("<tr data-decision=\"Rejected\"><td>Rejected</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">$0.000</td></tr>", dom, StringComparison.Ordinal);

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

        string dom = await MeasureOverlapsAsync(html);
        Assert.Contains("data-overlaps=\"none\"", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("data-checked=\"0\"", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_month_of_fourteen_teams_renders_with_distinct_colours_no_overlapping_text_and_one_money_format()
    {
        string ledger = await LedgerFixture.WriteMonthAsync(days: 30, teams: 14);
        string html = Path.Combine(ledger, "report.html");
        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--format", "html", "--out", html);
        Assert.True(code == 0, error);
        string source = File.ReadAllText(html);

        // Every chart: one colour per series, each far from every other (CIE76 ΔE above 20).
        foreach (string chart in new[] { "spend-by-team", "spend-by-feature", "spend-by-model" })
        {
            string svg = Svg(source, chart);
            string[] colours = [.. Regex.Matches(svg, "<g class=\"legend\" data-series=\"[^\"]*\"><rect [^>]*fill=\"(#[0-9a-f]{6})\"").Select(m => m.Groups[1].Value)];
            Assert.Equal(chart == "spend-by-team" ? 14 : chart == "spend-by-feature" ? 5 : 3, colours.Length);
            for (int i = 0; i < colours.Length; i++)
            {
                for (int j = i + 1; j < colours.Length; j++)
                {
                    Assert.True(DeltaE(colours[i], colours[j]) > 20, $"{chart}: {colours[i]} and {colours[j]} look alike");
                }
            }

            // Ticks share one precision.
            string[] ticks = [.. Regex.Matches(svg, "text-anchor=\"end\">\\$([0-9,.]+)</text>").Select(m => m.Groups[1].Value)];
            Assert.Equal(5, ticks.Length);
            Assert.Single(ticks.Select(t => t.Length - t.IndexOf('.', StringComparison.Ordinal)).Distinct());
        }

        // Every amount shown as text outside the axes (KPIs, legends, table) has the same decimals.
        string withoutTicks = Regex.Replace(source, "text-anchor=\"end\">\\$[0-9,.]+</text>", string.Empty);
        withoutTicks = Regex.Replace(withoutTicks, "<title>[^<]*</title>", string.Empty);
        int[] decimals = [.. Regex.Matches(withoutTicks, "\\$[0-9,]+\\.([0-9]+)").Select(m => m.Groups[1].Value.Length).Distinct()];
        Assert.Single(decimals);

        string dom = await MeasureOverlapsAsync(html);
        Assert.Contains("data-overlaps=\"none\"", dom, StringComparison.Ordinal);

        string png = Path.Combine(Path.GetTempPath(), "aicostguard-report-month.png");
        File.Delete(png);
        await RunChromiumAsync("--screenshot=" + png, "--window-size=1100,2600", "file://" + html);
        Assert.True(new FileInfo(png).Length > 10_000);
    }

    /// <summary>Opens a copy of the report with a script that measures, in Chromium's layout, every pair of chart texts that overlap.</summary>
    private static async Task<string> MeasureOverlapsAsync(string html)
    {
        // The report has no script; a copy with one measures what Chromium laid out.
        string probe = Path.Combine(Path.GetDirectoryName(html)!, "probe.html");
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
        return await RunChromiumAsync("--window-size=1100,2600", "--dump-dom", "file://" + probe);
    }

    private static string Svg(string html, string id)
    {
        int start = html.IndexOf($"<svg id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, id);
        return html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    /// <summary>The CIE76 distance of two sRGB colours in CIELAB (D65): about 2.3 is the smallest difference an eye sees.</summary>
    private static double DeltaE(string a, string b)
    {
        (double L, double A, double B) x = Lab(a), y = Lab(b);
        return Math.Sqrt(Math.Pow(x.L - y.L, 2) + Math.Pow(x.A - y.A, 2) + Math.Pow(x.B - y.B, 2));

        static (double, double, double) Lab(string hex)
        {
            double[] c = [.. Enumerable.Range(0, 3).Select(i => int.Parse(hex.AsSpan(1 + (2 * i), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0)
                .Select(v => v > 0.04045 ? Math.Pow((v + 0.055) / 1.055, 2.4) : v / 12.92)];
            double fx = F(((0.4124 * c[0]) + (0.3576 * c[1]) + (0.1805 * c[2])) / 0.95047);
            double fy = F((0.2126 * c[0]) + (0.7152 * c[1]) + (0.0722 * c[2]));
            double fz = F(((0.0193 * c[0]) + (0.1192 * c[1]) + (0.9505 * c[2])) / 1.08883);
            return ((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));

            static double F(double t) => t > 0.008856 ? Math.Cbrt(t) : (7.787 * t) + (16.0 / 116);
        }
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
