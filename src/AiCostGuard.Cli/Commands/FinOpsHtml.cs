using System.Globalization;
using System.Net;

namespace AiCostGuard.Cli.Commands;

/// <summary>The FinOps sections of the HTML report: each team's forecast, each budget's forecast against its ceiling, the anomalous days, the adaptive envelopes' ceilings over time, and GPU pool allocation with idle cost.</summary>
internal static class FinOpsHtml
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(LedgerContents contents, IReadOnlyList<GpuPoolAllocation>? pools, IReadOnlyList<BudgetRunway>? runways, TextWriter w, int decimals)
    {
        Forecast(contents, w, decimals);
        if (runways is not null)
        {
            Runway(runways, w, decimals);
        }

        Anomalies(contents, w, decimals);
        if (contents.EnvelopeSteps.Count > 0)
        {
            Envelopes(contents.EnvelopeSteps, w, decimals);
        }

        if (pools is not null)
        {
            Pools(pools, w, decimals);
        }
    }

    private static void Forecast(LedgerContents contents, TextWriter w, int decimals)
    {
        if (!contents.Calls.Any(c => c.Outcome != CallOutcome.NotSent))
        {
            return;
        }

        SpendForecast forecast = SpendForecast.Create(contents.Calls, ReportDimensions.Team);
        w.WriteLine($"<section id=\"forecast\"><h2>Forecast, {forecast.HorizonDays} days from {Day(forecast.AsOf)}</h2>");
        if (forecast.Groups.Count > 0)
        {
            w.WriteLine("<table><thead><tr><th>team</th><th class=\"n\">Expected</th><th class=\"n\">80 % low</th><th class=\"n\">80 % high</th></tr></thead><tbody>");
            foreach (SpendForecastGroup g in forecast.Groups)
            {
                w.WriteLine($"<tr><td>{E(g.Key["team"])}</td><td class=\"n\">{HtmlReport.Usd(g.Total.Cost, decimals)}</td><td class=\"n\">{HtmlReport.Usd(g.Total.Low, decimals)}</td><td class=\"n\">{HtmlReport.Usd(g.Total.High, decimals)}</td></tr>");
            }

            w.WriteLine("</tbody></table>");
        }

        foreach (ShortHistory s in forecast.ShortHistories)
        {
            w.WriteLine($"<p class=\"sub\">{E(s.Key["team"])}: {s.HistoryDays} days of history; a forecast needs {s.RequiredDays}.</p>");
        }

        w.WriteLine("</section>");
    }

    private static void Runway(IReadOnlyList<BudgetRunway> runways, TextWriter w, int decimals)
    {
        w.WriteLine("<section id=\"runway\"><h2>Forecast against budgets</h2><table><thead><tr><th>budget</th><th>key</th><th>period</th><th class=\"n\">Ceiling</th><th class=\"n\">Spent</th><th class=\"n\">Projected</th><th>Runs out (80 %)</th></tr></thead><tbody>");
        foreach (BudgetRunway r in runways)
        {
            string projected = r.Projected is { } p ? $"{HtmlReport.Usd(p.Cost, decimals)} ({HtmlReport.Usd(p.Low, decimals)} to {HtmlReport.Usd(p.High, decimals)})" : $"{r.HistoryDays} days of history, {SpendForecast.MinimumHistoryDays} needed";
            string runsOut = r.RunsOut is { } day ? $"{Day(day)} ({(r.RunsOutEarliest is { } e ? Day(e) : "?")} to {(r.RunsOutLatest is { } l ? Day(l) : "after the period")})" : r.Projected is null ? "n/a" : "holds";
            w.WriteLine($"<tr><td>{E(r.Budget)}</td><td>{E(r.Key)}</td><td>{Day(r.PeriodStart)} to {Day(r.PeriodEnd.AddDays(-1))}</td><td class=\"n\">{HtmlReport.Usd(r.Limit, decimals)}</td><td class=\"n\">{HtmlReport.Usd(r.Spent, decimals)}</td><td class=\"n\">{E(projected)}</td><td>{E(runsOut)}</td></tr>");
        }

        w.WriteLine("</tbody></table></section>");
    }

    private static void Anomalies(LedgerContents contents, TextWriter w, int decimals)
    {
        IReadOnlyList<SpendAnomaly> anomalies = SpendAnomaly.Find(contents.Calls, ReportDimensions.Team);
        w.WriteLine("<section id=\"anomalies\"><h2>Anomalous days</h2>");
        if (anomalies.Count == 0)
        {
            w.WriteLine($"<p class=\"sub\">None: no day departs from its team's baseline by {SpendAnomalyDetector.DefaultThreshold.ToString(Inv)} robust deviations (a day needs three weeks of history before it).</p></section>");
            return;
        }

        w.WriteLine("<table><thead><tr><th>day</th><th>team</th><th class=\"n\">Spend</th><th class=\"n\">Expected</th><th class=\"n\">Score</th></tr></thead><tbody>");
        foreach (SpendAnomaly a in anomalies)
        {
            w.WriteLine($"<tr><td>{Day(a.Date)}</td><td>{E(a.Key["team"])}</td><td class=\"n\">{HtmlReport.Usd(a.Cost, decimals)}</td><td class=\"n\">{HtmlReport.Usd(a.Expected, decimals)}</td><td class=\"n\">{a.Score.ToString("0.0", Inv)}</td></tr>");
        }

        w.WriteLine("</tbody></table></section>");
    }

    private static void Envelopes(IReadOnlyList<EnvelopeStep> steps, TextWriter w, int decimals)
    {
        w.WriteLine("<section id=\"envelopes\"><h2>Adaptive envelopes</h2><table><thead><tr><th>envelope</th><th>key</th><th>time (UTC)</th><th>why</th><th class=\"n\">Ceiling</th><th class=\"n\">Spent</th><th class=\"n\">Successes</th><th class=\"n\">Per success</th></tr></thead><tbody>");
        foreach (EnvelopeStep s in steps.OrderBy(s => s.Envelope, StringComparer.Ordinal).ThenBy(s => s.Key, StringComparer.Ordinal).ThenBy(s => s.Time))
        {
            string perSuccess = s.CostPerSuccess is { } c ? HtmlReport.Usd(c, decimals) : string.Empty;
            w.WriteLine($"<tr><td>{E(s.Envelope)}</td><td>{E(s.Key)}</td><td>{s.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv)}</td><td>{Why(s.Change)}</td><td class=\"n\">{HtmlReport.Usd(s.Ceiling, decimals)}</td><td class=\"n\">{HtmlReport.Usd(s.Spent, decimals)}</td><td class=\"n\">{s.Successes.ToString(Inv)}</td><td class=\"n\">{perSuccess}</td></tr>");
        }

        w.WriteLine("</tbody></table></section>");
    }

    private static string Why(EnvelopeChange change) => change switch
    {
        EnvelopeChange.PeriodStart => "period start: the base",
        EnvelopeChange.Success => "a success raised it",
        EnvelopeChange.Capped => "reached the cap",
        EnvelopeChange.GateClosed => "review gate closed: cost per success above target",
        EnvelopeChange.GateOpened => "review gate opened: caught up with the successes",
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Not an envelope change."),
    };

    private static void Pools(IReadOnlyList<GpuPoolAllocation> pools, TextWriter w, int decimals)
    {
        w.WriteLine("<section id=\"pools\"><h2>GPU pools</h2><table><thead><tr><th>pool</th><th>consumer</th><th class=\"n\">Tokens</th><th class=\"n\">Cost</th></tr></thead><tbody>");
        foreach (GpuPoolAllocation p in pools)
        {
            foreach (GpuPoolConsumer c in p.Consumers)
            {
                string key = c.Key.Count == 0 ? "all" : string.Join(", ", c.Key.Values);
                w.WriteLine($"<tr><td>{E(p.Pool)}</td><td>{E(key)}</td><td class=\"n\">{c.Tokens.ToString("N0", Inv)}</td><td class=\"n\">{HtmlReport.Usd(c.Cost, decimals)}</td></tr>");
            }

            w.WriteLine($"<tr><td>{E(p.Pool)}</td><td>idle</td><td class=\"n\"></td><td class=\"n\">{HtmlReport.Usd(p.Idle, decimals)}</td></tr>");
            w.WriteLine($"<tr class=\"total\"><td>{E(p.Pool)}</td><td>{Day(p.Start)} to {Day(p.End.AddDays(-1))}</td><td class=\"n\"></td><td class=\"n\">{HtmlReport.Usd(p.Cost, decimals)}</td></tr>");
        }

        w.WriteLine("</tbody></table></section>");
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", Inv);


    private static string E(string s) => WebUtility.HtmlEncode(s);
}
