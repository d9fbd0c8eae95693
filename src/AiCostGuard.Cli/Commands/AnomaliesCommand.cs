using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard anomalies --ledger F...|--connection C [--schema S] [--by team,feature,model] [--threshold S] [--json]</c>: the days whose spend
/// departs from their group's robust, weekly-seasonal baseline, highest score first.
/// </summary>
internal static class AnomaliesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string[]> ledger = LedgerGroups.LedgersOption();
        Option<string> connection = LedgerInput.ConnectionOption();
        Option<string> schema = LedgerInput.SchemaOption();
        var by = new Option<string>("--by") { Description = "Group by a comma-separated list of: team, feature, model. The default is one group.", DefaultValueFactory = _ => string.Empty };
        var threshold = new Option<string>("--threshold") { Description = "The score (robust standard deviations from the baseline) from which a day is an anomaly, e.g. 4.5.", DefaultValueFactory = _ => SpendAnomalyDetector.DefaultThreshold.ToString(CultureInfo.InvariantCulture) };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("anomalies", "Days whose spend departs from the group's robust baseline (trend and weekly seasonality of the four weeks before), highest score first.")
        {
            ledger, connection, schema, by, threshold, json,
        };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            ReportDimensions dimensions = LedgerGroups.ParseGroups(result.GetValue(by)!);
            string text = result.GetValue(threshold)!;

            // Parsed here rather than by the parser, which reads numbers in the current culture (6.5 is 65 in German).
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || text.Contains(',', StringComparison.Ordinal))
            {
                throw new CommandInputException($"--threshold '{text}' is not a number such as 4.5.");
            }

            if (!(score >= 1 && score <= 1000))
            {
                throw new CommandInputException(string.Create(CultureInfo.InvariantCulture, $"--threshold {score} is outside 1 to 1000."));
            }

            LedgerContents contents = LedgerGroups.Read(result, ledger, connection, schema, error);
            var detector = new SpendAnomalyDetector(threshold: score);
            IReadOnlyList<SpendAnomaly> anomalies = SpendAnomaly.Find(contents.Calls, dimensions, detector);
            DateOnly[] days = [.. contents.Calls.Where(c => c.Outcome != CallOutcome.NotSent).Select(c => DateOnly.FromDateTime(c.Timestamp.UtcDateTime))];
            int span = days.Length == 0 ? 0 : days.Max().DayNumber - days.Min().DayNumber + 1;
            if (span <= detector.MinimumHistory)
            {
                error.WriteLine($"warning: the ledger spans {span} day{(span == 1 ? string.Empty : "s")}; a day is scored against the {detector.MinimumHistory} days before it, so no day could be scored");
            }

            if (result.GetValue(json))
            {
                Json(anomalies, output);
            }
            else if (anomalies.Count == 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"No anomaly: every day with {detector.MinimumHistory} days of history before it is within {score} robust deviations of its baseline."));
            }
            else
            {
                foreach (SpendAnomaly a in anomalies)
                {
                    string key = a.Key.Count == 0 ? "all" : string.Join('|', a.Key.Select(k => $"{k.Key}={k.Value}"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Day(a.Date)}  {key}  {a.Cost:0.00####} USD, expected {a.Expected:0.00####}, score {a.Score:0.00}"));
                }
            }

            return 0;
        }));
        return command;
    }

    private static void Json(IReadOnlyList<SpendAnomaly> anomalies, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("anomalies");
            foreach (SpendAnomaly a in anomalies)
            {
                json.WriteStartObject();
                json.WriteString("date", Day(a.Date));
                LedgerGroups.WriteKey(json, a.Key);
                json.WriteNumber("cost", LedgerGroups.Money(a.Cost));
                json.WriteNumber("expected", LedgerGroups.Money(a.Expected));
                json.WriteNumber("score", a.Score);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
