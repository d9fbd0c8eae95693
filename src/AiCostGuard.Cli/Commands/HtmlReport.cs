using System.Globalization;
using System.Net;
using System.Text;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// A single self-contained HTML file (inline CSS and SVG, no script, nothing fetched) for finance readers: spend by
/// team, by feature and by model per day as stacked bar charts with axes, legends and totals, then the report table.
/// </summary>
/// <remarks>
/// Every amount of one report is written with the same number of decimals, enough to show its smallest amount to two
/// significant digits, so a spend and the cost per run beside it never disagree by rounding; each axis writes its ticks
/// with one precision too. Day labels are thinned to every n-th day when a month of days does not fit side by side.
/// </remarks>
internal static class HtmlReport
{
    // Twenty colours at least 27 apart (CIE76 ΔE) from each other; a chart with more series shows the smallest
    // together as "other", so two series never share a colour.
    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
        "#000080", "#e7cb94", "#00ff7f", "#637939", "#ff1493", "#ff9896", "#98df8a", "#aec7e8", "#2b3d26", "#393b79",
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(LedgerContents contents, CostReport report, TextWriter w, IReadOnlyList<GpuPoolAllocation>? pools = null, IReadOnlyList<BudgetRunway>? runways = null)
    {
        CostRecord[] sent = [.. contents.Calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        string[] days = [.. sent.Select(Day).Distinct().Order(StringComparer.Ordinal)];
        decimal total = sent.Sum(c => c.Cost);
        int decimals = Decimals(AmountsShown(sent, report));
        string period = days.Length == 0 ? "no calls" : days.Length == 1 ? days[0] : $"{days[0]} to {days[^1]}";

        w.WriteLine("<!DOCTYPE html>");
        w.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AI spend report</title>");
        w.WriteLine("<style>body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1000px}"
            + "h1{margin-bottom:4px}p.sub{color:#555;margin-top:0}section{margin:28px 0}table{border-collapse:collapse;font-size:13px}"
            + "th,td{padding:4px 8px;border-bottom:1px solid #ddd}td.n,th.n{text-align:right}tr.total td{font-weight:bold;border-top:2px solid #444}"
            + "svg text{font-size:12px;fill:#333}.kpi{display:inline-block;margin-right:32px}.kpi b{display:block;font-size:22px}</style></head><body>");
        w.WriteLine("<h1>AI spend report</h1>");
        w.WriteLine($"<p class=\"sub\">Model calls recorded by AiCostGuard, {E(period)} (UTC days). All amounts in US dollars.</p>");
        w.WriteLine("<div>");
        Kpi(w, "Total spend", Usd(total, decimals));
        Kpi(w, "Model calls", sent.Length.ToString("N0", Inv));
        Kpi(w, "Runs", report.Total.Runs.ToString("N0", Inv));
        Kpi(w, "Successful outcomes", report.Total.Successes.ToString("N0", Inv));
        Kpi(w, "Cost per successful outcome", report.Total.CostPerSuccess is { } cps ? Usd(cps, decimals) : "n/a");
        w.WriteLine("</div>");

        Chart(w, "spend-by-team", "Spend by team per day", "team", days, sent, c => c.Attribution?.Team ?? "(no team)", decimals);
        Chart(w, "spend-by-feature", "Spend by feature per day", "feature", days, sent, c => c.Attribution?.Feature ?? "(no feature)", decimals);
        Chart(w, "spend-by-model", "Spend by model per day", "model", days, sent, c => c.ModelId ?? "(no model)", decimals);

        Decisions(w, contents.Calls, decimals);

        w.WriteLine("<section><h2>Cost per run and per successful outcome</h2><table><thead><tr>");
        foreach (string c in report.Columns) w.Write($"<th>{E(c)}</th>");
        w.WriteLine("<th class=\"n\">Calls</th><th class=\"n\">Runs</th><th class=\"n\">Spend</th><th class=\"n\">Cost per run</th><th class=\"n\">Successes</th><th class=\"n\">Cost per success</th></tr></thead><tbody>");
        foreach (CostReportRow row in report.Rows) Row(w, row, null, report.Columns.Count, decimals);
        Row(w, report.Total, "total", report.Columns.Count, decimals);
        w.WriteLine("</tbody></table></section>");
        FinOpsHtml.Write(contents, pools, runways, w, decimals);
        if (contents.SkippedLines.Count > 0)
        {
            w.WriteLine($"<p class=\"sub\">{contents.SkippedLines.Count} unreadable ledger lines were skipped.</p>");
        }

        w.WriteLine("</body></html>");
    }

    /// <summary>What the budgets decided: how many calls were sent unchanged, clamped, degraded, cut or refused, and what the sent ones cost.</summary>
    private static void Decisions(TextWriter w, IReadOnlyList<CostRecord> calls, int decimals)
    {
        w.WriteLine("<section><h2>Budget decisions</h2><table id=\"decisions\"><thead><tr><th>Decision</th><th class=\"n\">Calls</th><th class=\"n\">Refused before sending</th><th class=\"n\">Spend</th></tr></thead><tbody>");
        foreach (BudgetDecision decision in Enum.GetValues<BudgetDecision>())
        {
            CostRecord[] these = [.. calls.Where(c => c.Decision == decision)];
            if (these.Length == 0)
            {
                continue;
            }

            int refused = these.Count(c => c.Outcome == CallOutcome.NotSent);
            w.WriteLine(string.Create(Inv, $"<tr data-decision=\"{decision}\"><td>{decision}</td><td class=\"n\">{these.Length:N0}</td><td class=\"n\">{refused:N0}</td><td class=\"n\">{Usd(these.Sum(c => c.Cost), decimals)}</td></tr>"));
        }

        w.WriteLine("</tbody></table></section>");
    }

    private static void Kpi(TextWriter w, string label, string value) => w.WriteLine($"<div class=\"kpi\">{E(label)}<b>{E(value)}</b></div>");

    private static void Row(TextWriter w, CostReportRow row, string? label, int keys, int decimals)
    {
        w.Write(label is null ? "<tr>" : "<tr class=\"total\">");
        if (label is not null)
        {
            w.Write($"<td colspan=\"{Math.Max(1, keys)}\">{E(label)}</td>");
        }
        else
        {
            foreach (string k in row.Key) w.Write($"<td>{E(k)}</td>");
        }

        w.WriteLine(string.Create(Inv, $"<td class=\"n\">{row.Calls:N0}</td><td class=\"n\">{row.Runs:N0}</td><td class=\"n\">{Usd(row.Cost, decimals)}</td><td class=\"n\">{(row.CostPerRun is { } r ? Usd(r, decimals) : "n/a")}</td><td class=\"n\">{row.Successes:N0}</td><td class=\"n\">{(row.CostPerSuccess is { } s ? Usd(s, decimals) : "n/a")}</td></tr>"));
    }

    /// <summary>A stacked bar chart: one bar per day, one colour per series, with a y axis in dollars, day labels, a legend with totals.</summary>
    private static void Chart(TextWriter w, string id, string title, string seriesName, string[] days, CostRecord[] calls, Func<CostRecord, string> series, int decimals)
    {
        List<(string Name, decimal Total, Dictionary<string, decimal> PerDay)> bySeries = Series(calls, series);
        decimal max = days.Length == 0 ? 0 : days.Max(d => bySeries.Sum(s => s.PerDay.GetValueOrDefault(d)));
        decimal top = NiceCeiling(max);
        int tickDecimals = Math.Max(decimals, DecimalsOf(top / 4));
        string[] ticks = [.. Enumerable.Range(0, 5).Select(i => "$" + (top * i / 4).ToString("N" + tickDecimals.ToString(Inv), Inv))];

        // The plot starts right of the widest tick label (about 7 px a character at 12 px) and the axis title left of it.
        const int TitleX = 14, Top = 20, Height = 240, Width = 620;
        int left = Math.Max(80, TitleX + 14 + (7 * ticks.Max(t => t.Length)) + 6);
        int legendX = left + Width + 20;
        int slot = days.Length == 0 ? Width : Width / days.Length;
        int bar = Math.Min(60, Math.Max(6, slot * 6 / 10));

        // A day label ("07-20") is about 35 px wide: label every n-th day so that labels keep 8 px apart.
        int labelEvery = Math.Max(1, (int)Math.Ceiling(43.0 / Math.Max(1, slot)));
        int svgHeight = Math.Max(Top + Height + 60, Top + 24 * (bySeries.Count + 2));

        w.WriteLine($"<section><h2>{E(title)}</h2>");
        w.WriteLine($"<svg id=\"{id}\" role=\"img\" aria-label=\"{E(title)}\" width=\"{legendX + 260}\" height=\"{svgHeight}\" xmlns=\"http://www.w3.org/2000/svg\">");
        w.WriteLine($"<title>{E(title)}</title>");
        for (int i = 0; i <= 4; i++)
        {
            int y = Top + Height - (int)(Height * i / 4);
            w.WriteLine($"<line x1=\"{left}\" y1=\"{y}\" x2=\"{left + Width}\" y2=\"{y}\" stroke=\"#e5e5e5\"/>");
            w.WriteLine($"<text x=\"{left - 6}\" y=\"{y + 4}\" text-anchor=\"end\">{E(ticks[i])}</text>");
        }

        w.WriteLine($"<line x1=\"{left}\" y1=\"{Top}\" x2=\"{left}\" y2=\"{Top + Height}\" stroke=\"#444\"/>");
        w.WriteLine($"<line x1=\"{left}\" y1=\"{Top + Height}\" x2=\"{left + Width}\" y2=\"{Top + Height}\" stroke=\"#444\"/>");
        w.WriteLine($"<text x=\"{TitleX}\" y=\"{Top + Height / 2}\" transform=\"rotate(-90 {TitleX} {Top + Height / 2})\" text-anchor=\"middle\">Spend (US dollars)</text>");
        w.WriteLine($"<text x=\"{left + Width / 2}\" y=\"{Top + Height + 44}\" text-anchor=\"middle\">Day (UTC)</text>");
        for (int d = 0; d < days.Length; d++)
        {
            int x = left + d * slot + (slot - bar) / 2;
            double y = Top + Height;
            w.WriteLine($"<g class=\"day\" data-day=\"{days[d]}\">");
            for (int s = 0; s < bySeries.Count; s++)
            {
                decimal v = bySeries[s].PerDay.GetValueOrDefault(days[d]);
                if (v <= 0 || top == 0)
                {
                    continue;
                }

                double h = (double)(v / top) * Height;
                y -= h;
                w.WriteLine(string.Create(Inv, $"<rect class=\"bar\" data-series=\"{E(bySeries[s].Name)}\" x=\"{x}\" y=\"{y:0.##}\" width=\"{bar}\" height=\"{h:0.##}\" fill=\"{Palette[s % Palette.Length]}\"><title>{E(bySeries[s].Name)}, {days[d]}: {E(Usd(v, decimals))}</title></rect>"));
            }

            w.WriteLine("</g>");
            if (d % labelEvery == 0)
            {
                w.WriteLine($"<text x=\"{x + bar / 2}\" y=\"{Top + Height + 18}\" text-anchor=\"middle\">{days[d][5..]}</text>");
            }
        }

        w.WriteLine($"<text x=\"{legendX}\" y=\"{Top + 4}\" font-weight=\"bold\">{E(char.ToUpperInvariant(seriesName[0]) + seriesName[1..])} (total spend)</text>");
        for (int s = 0; s < bySeries.Count; s++)
        {
            int y = Top + 24 + s * 22;
            w.WriteLine($"<g class=\"legend\" data-series=\"{E(bySeries[s].Name)}\"><rect x=\"{legendX}\" y=\"{y - 11}\" width=\"14\" height=\"14\" fill=\"{Palette[s % Palette.Length]}\"/><text x=\"{legendX + 20}\" y=\"{y}\">{E(bySeries[s].Name)}: {E(Usd(bySeries[s].Total, decimals))}</text></g>");
        }

        int totalY = Top + 24 + bySeries.Count * 22;
        w.WriteLine($"<text x=\"{legendX}\" y=\"{totalY}\" font-weight=\"bold\">All: {E(Usd(bySeries.Sum(s => s.Total), decimals))}</text>");
        w.WriteLine("</svg></section>");
    }

    /// <summary>The series of a chart, dearest first; past the palette's size the cheapest are shown together as "other".</summary>
    private static List<(string Name, decimal Total, Dictionary<string, decimal> PerDay)> Series(CostRecord[] calls, Func<CostRecord, string> series)
    {
        List<(string Name, decimal Total, Dictionary<string, decimal> PerDay)> all = [.. calls.GroupBy(series)
            .Select(g => (Name: g.Key, Total: g.Sum(c => c.Cost), PerDay: g.GroupBy(Day).ToDictionary(d => d.Key, d => d.Sum(c => c.Cost))))
            .OrderByDescending(s => s.Total).ThenBy(s => s.Name, StringComparer.Ordinal)];
        if (all.Count <= Palette.Length)
        {
            return all;
        }

        var rest = all.Skip(Palette.Length - 1).ToList();
        var perDay = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach ((_, _, Dictionary<string, decimal> days) in rest)
        {
            foreach ((string day, decimal cost) in days)
            {
                perDay[day] = perDay.GetValueOrDefault(day) + cost;
            }
        }

        return [.. all.Take(Palette.Length - 1), ($"other ({rest.Count.ToString(Inv)})", rest.Sum(s => s.Total), perDay)];
    }

    /// <summary>The amounts the page shows as text: the KPIs, every legend and the table.</summary>
    private static IEnumerable<decimal> AmountsShown(CostRecord[] sent, CostReport report)
    {
        yield return sent.Sum(c => c.Cost);
        foreach (Func<CostRecord, string?> key in new Func<CostRecord, string?>[] { c => c.Attribution?.Team, c => c.Attribution?.Feature, c => c.ModelId })
        {
            foreach (IGrouping<string?, CostRecord> group in sent.GroupBy(key))
            {
                yield return group.Sum(c => c.Cost);
            }
        }

        foreach (CostReportRow row in report.Rows.Append(report.Total))
        {
            yield return row.Cost;
            if (row.CostPerRun is { } perRun) yield return perRun;
            if (row.CostPerSuccess is { } perSuccess) yield return perSuccess;
        }
    }

    /// <summary>Decimals that show the smallest non-zero amount to two significant digits: at least 2 (cents), at most 6.</summary>
    private static int Decimals(IEnumerable<decimal> amounts)
    {
        decimal smallest = amounts.Where(a => a != 0).Select(Math.Abs).DefaultIfEmpty(1m).Min();
        return Math.Clamp((int)Math.Ceiling(-Math.Log10((double)smallest)) + 1, 2, 6);
    }

    private static int DecimalsOf(decimal value) => (decimal.GetBits(value / 1.0000000000000000000000000000m)[3] >> 16) & 0xFF;

    /// <summary>A round number at or above <paramref name="max"/> for the top of the y axis, so the gridlines fall on readable amounts.</summary>
    private static decimal NiceCeiling(decimal max)
    {
        if (max <= 0)
        {
            return 0;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10((double)max)));
        foreach (double step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (step * magnitude >= (double)max)
            {
                return (decimal)(step * magnitude);
            }
        }

        return (decimal)(10 * magnitude);
    }

    private static string Day(CostRecord c) => c.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", Inv);

    /// <summary>An amount with the report's decimals; an amount too small to show at them reads "&lt;$0.01", never "$0.00".</summary>
    internal static string Usd(decimal value, int decimals)
    {
        string format = "N" + decimals.ToString(Inv);
        decimal shown = decimal.Round(value, decimals, MidpointRounding.AwayFromZero);
        return shown == 0 && value != 0
            ? (value > 0 ? "<$" : ">-$") + (1m / (decimal)Math.Pow(10, decimals)).ToString(format, Inv)
            : "$" + shown.ToString(format, Inv);
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
