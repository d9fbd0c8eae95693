using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard forecast --ledger F...|--connection C [--schema S] [--by team,feature,model] [--horizon N] [--as-of YYYY-MM-DD] [--budgets F] [--json]</c>:
/// the daily spend of the next days per group with 80 % intervals, and when each period budget runs out.
/// </summary>
internal static class ForecastCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string[]> ledger = LedgerGroups.LedgersOption();
        Option<string> connection = LedgerInput.ConnectionOption();
        Option<string> schema = LedgerInput.SchemaOption();
        var by = new Option<string>("--by") { Description = "Group by a comma-separated list of: team, feature, model. The default is one group.", DefaultValueFactory = _ => string.Empty };
        var horizon = new Option<int>("--horizon") { Description = "Days to forecast.", DefaultValueFactory = _ => SpendForecast.DefaultHorizonDays };
        var asOf = new Option<string?>("--as-of") { Description = "First day to forecast, YYYY-MM-DD; the history is every day before it. The default is the day after the last call." };
        var budgets = new Option<string?>("--budgets") { Description = "A JSON file of period budgets (the shape of AiCostGuard:PeriodBudgets in settings): prints when each runs out." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("forecast", "Forecast daily spend per group with 80 % prediction intervals (trend and weekly seasonality), and the runway of period budgets.")
        {
            ledger, connection, schema, by, horizon, asOf, budgets, json,
        };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            ReportDimensions dimensions = LedgerGroups.ParseGroups(result.GetValue(by)!);
            int days = result.GetValue(horizon);
            if (days is < 1 or > SpendForecast.MaximumHorizonDays)
            {
                throw new CommandInputException($"--horizon {days} is outside 1 to {SpendForecast.MaximumHorizonDays} days.");
            }

            DateOnly? start = LedgerGroups.ParseDay("--as-of", result.GetValue(asOf));
            IReadOnlyList<PeriodBudgetOptions>? periodBudgets = result.GetValue(budgets) is { } file ? BudgetsFile.Read(file) : null;
            LedgerContents contents = LedgerGroups.Read(result, ledger, connection, schema, error);
            SpendForecast forecast = SpendForecast.Create(contents.Calls, dimensions, start, days);
            IReadOnlyList<BudgetRunway>? runways = null;
            if (periodBudgets is not null)
            {
                foreach (PeriodBudgetOptions b in periodBudgets.Where(b => !BudgetRunway.HasRunway(b)))
                {
                    error.WriteLine($"warning: budget '{b.Name}' has no run-out date (a rolling window, or no MaximumCost)");
                }

                runways = BudgetRunway.Create(contents.Calls, periodBudgets, forecast.AsOf);
            }

            if (forecast.Groups.Count == 0 && runways is not { Count: > 0 })
            {
                ShortHistory s = forecast.ShortHistories.MaxBy(s => s.HistoryDays)!;
                string others = forecast.ShortHistories.Count > 1 ? $" (the longest of {forecast.ShortHistories.Count} groups)" : string.Empty;
                throw new CommandInputException($"Too little history to forecast: {Label(s.Key)}{others} has {Days(s.HistoryDays)} before {Day(forecast.AsOf)}; a forecast needs at least {Days(s.RequiredDays)}.");
            }

            foreach (ShortHistory s in forecast.ShortHistories)
            {
                error.WriteLine($"warning: {Label(s.Key)} has {Days(s.HistoryDays)} of history before {Day(forecast.AsOf)}; a forecast needs at least {Days(s.RequiredDays)}");
            }

            if (result.GetValue(json))
            {
                Json(forecast, runways, output);
            }
            else
            {
                Text(forecast, runways, output);
            }

            return 0;
        }));
        return command;
    }

    private static void Text(SpendForecast forecast, IReadOnlyList<BudgetRunway>? runways, TextWriter w)
    {
        foreach (SpendForecastGroup g in forecast.Groups)
        {
            w.WriteLine($"{Label(g.Key)}: {M(g.Total.Cost)} USD over {forecast.HorizonDays} days from {Day(forecast.AsOf)} (80 %: {M(g.Total.Low)} to {M(g.Total.High)}), from {g.HistoryDays} days of history");
            foreach (DailySpendForecast d in g.Daily)
            {
                w.WriteLine($"  {Day(d.Date)}  {M(d.Spend.Cost),12}  {M(d.Spend.Low),12}  {M(d.Spend.High),12}");
            }
        }

        foreach (BudgetRunway r in runways ?? [])
        {
            string when = r.RunsOut is { } day
                ? $"runs out {Day(day)} (80 %: {Day(r.RunsOutEarliest)} to {Day(r.RunsOutLatest)})"
                : r.Projected is null ? $"no forecast: {Days(r.HistoryDays)} of history, {SpendForecast.MinimumHistoryDays} needed" : $"holds to {Day(r.PeriodEnd.AddDays(-1))}";
            string projected = r.Projected is { } p ? $", projected {M(p.Cost)} (80 %: {M(p.Low)} to {M(p.High)})" : string.Empty;
            w.WriteLine($"budget {r.Budget} {r.Key}: {M(r.Spent)} of {M(r.Limit)} USD spent since {Day(r.PeriodStart)}{projected}; {when}");
        }
    }

    private static void Json(SpendForecast forecast, IReadOnlyList<BudgetRunway>? runways, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("asOf", Day(forecast.AsOf));
            json.WriteNumber("horizonDays", forecast.HorizonDays);
            json.WriteStartArray("groups");
            foreach (SpendForecastGroup g in forecast.Groups)
            {
                json.WriteStartObject();
                LedgerGroups.WriteKey(json, g.Key);
                json.WriteStartObject("total");
                Range(json, g.Total);
                json.WriteEndObject();
                json.WriteStartArray("daily");
                foreach (DailySpendForecast d in g.Daily)
                {
                    json.WriteStartObject();
                    json.WriteString("date", Day(d.Date));
                    Range(json, d.Spend);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("shortHistories");
            foreach (ShortHistory s in forecast.ShortHistories)
            {
                json.WriteStartObject();
                LedgerGroups.WriteKey(json, s.Key);
                json.WriteNumber("historyDays", s.HistoryDays);
                json.WriteNumber("requiredDays", s.RequiredDays);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (runways is not null)
            {
                json.WriteStartArray("runway");
                foreach (BudgetRunway r in runways)
                {
                    Runway(json, r);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void Runway(Utf8JsonWriter json, BudgetRunway r)
    {
        json.WriteStartObject();
        json.WriteString("budget", r.Budget);
        json.WriteString("key", r.Key);
        json.WriteString("periodStart", Day(r.PeriodStart));
        json.WriteString("periodEnd", Day(r.PeriodEnd));
        json.WriteNumber("limit", LedgerGroups.Money(r.Limit));
        json.WriteNumber("spent", LedgerGroups.Money(r.Spent));
        json.WriteNumber("historyDays", r.HistoryDays);
        if (r.Projected is { } p)
        {
            json.WriteStartObject("projected");
            Range(json, p);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("projected");
        }

        DayOrNull(json, "runsOut", r.RunsOut);
        DayOrNull(json, "runsOutEarliest", r.RunsOutEarliest);
        DayOrNull(json, "runsOutLatest", r.RunsOutLatest);
        json.WriteEndObject();
    }

    private static void Range(Utf8JsonWriter json, SpendRange range)
    {
        json.WriteNumber("cost", LedgerGroups.Money(range.Cost));
        json.WriteNumber("low", LedgerGroups.Money(range.Low));
        json.WriteNumber("high", LedgerGroups.Money(range.High));
    }

    private static void DayOrNull(Utf8JsonWriter json, string name, DateOnly? day)
    {
        if (day is { } d)
        {
            json.WriteString(name, Day(d));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Label(IReadOnlyDictionary<string, string> key) => key.Count == 0 ? "all" : string.Join('|', key.Select(k => $"{k.Key}={k.Value}"));

    private static string Day(DateOnly? day) => day is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "later";

    private static string Days(int days) => days == 1 ? "1 day" : $"{days} days";

    private static string M(decimal amount) => amount.ToString("0.00####", CultureInfo.InvariantCulture);
}
