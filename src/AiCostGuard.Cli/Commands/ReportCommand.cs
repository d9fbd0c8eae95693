using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard report --ledger F [--since T] [--until T] [--by team,feature,...] [--format table|csv|json|html] [--json] [--out F]</c>:
/// cost, cost per run and cost per successful outcome.
/// </summary>
internal static class ReportCommand
{
    private static readonly (string Name, ReportDimensions Dimension)[] ByNames =
    [
        ("tenant", ReportDimensions.Tenant),
        ("team", ReportDimensions.Team),
        ("feature", ReportDimensions.Feature),
        ("user", ReportDimensions.User),
        ("cost-center", ReportDimensions.CostCenter),
        ("cost_center", ReportDimensions.CostCenter),
        ("costcenter", ReportDimensions.CostCenter),
        ("provider", ReportDimensions.Provider),
        ("model", ReportDimensions.Model),
        ("day", ReportDimensions.Day),
    ];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var ledger = new LedgerInput();
        var by = new Option<string>("--by") { Description = "Group by a comma-separated list of: tenant, team, feature, user, cost-center, provider, model, day.", DefaultValueFactory = _ => "team,feature" };
        var format = new Option<string>("--format") { Description = "table, csv, json or html." };
        var json = new Option<bool>("--json") { Description = "The same as --format json." };
        var outFile = new Option<string>("--out") { Description = "Write to this file instead of the terminal (- for standard output; html is best written to a file)." };
        var budgets = new Option<string>("--budgets") { Description = "A JSON file of period budgets: the html report adds each budget's forecast spend and run-out date." };
        var pools = new Option<string>("--pools") { Description = "A JSON file of GPU pools: adds each pool's cost allocated to its consumers, and its idle cost (table, json and html)." };
        var command = new Command("report", "Cost, cost per run and cost per successful outcome from a ledger, by tenant, team, feature, user, cost center, provider, model and day.");
        ledger.AddTo(command);
        command.Options.Add(by);
        command.Options.Add(format);
        command.Options.Add(json);
        command.Options.Add(outFile);
        command.Options.Add(pools);
        command.Options.Add(budgets);
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            ReportDimensions dimensions = ParseBy(result.GetValue(by)!);
            string? asked = result.GetValue(format)?.Trim().ToLowerInvariant();
            if (asked is not (null or "table" or "csv" or "json" or "html"))
            {
                throw new CommandInputException($"--format '{asked}' is not one of table, csv, json, html.");
            }

            if (result.GetValue(json) && asked is not (null or "json"))
            {
                throw new CommandInputException($"--json and --format {asked} ask for two formats; give one.");
            }

            string kind = result.GetValue(json) ? "json" : asked ?? "table";
            LedgerContents contents = ledger.Read(result, error);
            CostReport report = CostReport.Create(contents.Calls, contents.Outcomes, dimensions);
            IReadOnlyList<GpuPoolAllocation>? allocations = result.GetValue(pools) is { } poolsFile
                ? kind is "table" or "json" or "html" ? GpuPoolAllocation.Create(contents.Calls, PoolsFile.Read(poolsFile), dimensions & ~ReportDimensions.Day) : throw new CommandInputException("--pools works with --format table, json or html.")
                : null;
            IReadOnlyList<BudgetRunway>? runways = result.GetValue(budgets) is { } budgetsFile
                ? kind == "html" ? BudgetRunway.Create(contents.Calls, BudgetsFile.Read(budgetsFile)) : throw new CommandInputException("--budgets works with --format html; aicostguard forecast --budgets prints the runway.")
                : null;
            string path = result.GetValue(outFile) ?? CommandFiles.StandardStream;
            bool wroteFile = CommandFiles.Write(path, output, w =>
            {
                switch (kind)
                {
                    case "table": Table(report, w); PoolReport.Table(allocations ?? [], w); break;
                    case "csv": Csv(report, w); break;
                    case "json": Json(report, allocations, w); break;
                    default: HtmlReport.Write(contents, report, w, allocations, runways); break;
                }
            });
            if (wroteFile)
            {
                output.WriteLine($"Wrote {TerminalText.Clean(path)}");
            }

            return 0;
        }));
        return command;
    }

    internal static ReportDimensions ParseBy(string value)
    {
        ReportDimensions by = ReportDimensions.None;
        foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            (string Name, ReportDimensions Dimension) match = ByNames.FirstOrDefault(n => n.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
            by |= match.Name is not null
                ? match.Dimension
                : throw new CommandInputException($"--by '{part}' is not one of tenant, team, feature, user, cost-center, provider, model, day.");
        }

        return by;
    }

    private static string[] Header(CostReport r) => [.. r.Columns, "calls", "runs", "input_tokens", "output_tokens", "cost_usd", "cost_per_run_usd", "successes", "cost_per_success_usd", "outcome_value_usd", "cache_savings_usd"];

    private static string[] Cells(CostReportRow row, int keyColumns) =>
    [
        .. row.Key.Count == 0 ? Enumerable.Repeat(string.Empty, keyColumns) : row.Key,
        I(row.Calls), I(row.Runs), I(row.InputTokens), I(row.OutputTokens), M(row.Cost), M(row.CostPerRun), I(row.Successes), M(row.CostPerSuccess), M(row.OutcomeValue), M(row.CacheSavings),
    ];

    private static void Table(CostReport r, TextWriter w)
    {
        string[] header = Header(r);
        List<string[]> lines = [header, .. r.Rows.Select(row => Cells(row, r.Columns.Count).Select(TerminalText.Clean).ToArray())];
        string[] total = Cells(r.Total, r.Columns.Count);
        total[0] = "total";
        lines.Add(total);
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => lines.Max(l => l[i].Length))];
        foreach (string[] line in lines)
        {
            w.WriteLine(string.Join("  ", line.Select((cell, i) => i < r.Columns.Count ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        }
    }

    private static void Csv(CostReport r, TextWriter w)
    {
        CsvCell.WriteRow(w, Header(r));
        foreach (CostReportRow row in r.Rows)
        {
            CsvCell.WriteRow(w, Cells(row, r.Columns.Count));
        }
    }

    private static void Json(CostReport r, IReadOnlyList<GpuPoolAllocation>? pools, TextWriter w)
    {
        var options = new JsonWriterOptions { Indented = true };
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, options))
        {
            json.WriteStartObject();
            json.WriteStartArray("groupBy");
            foreach (string c in r.Columns) json.WriteStringValue(JsonName(c));
            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (CostReportRow row in r.Rows) Write(json, r, row);
            json.WriteEndArray();
            json.WritePropertyName("total");
            Write(json, r, r.Total);
            if (pools is not null) PoolReport.Json(json, pools);
            json.WriteEndObject();
        }

        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));

        static void Write(Utf8JsonWriter json, CostReport r, CostReportRow row)
        {
            json.WriteStartObject();
            for (int i = 0; i < row.Key.Count; i++) json.WriteString(JsonName(r.Columns[i]), row.Key[i]);
            json.WriteNumber("calls", row.Calls);
            json.WriteNumber("runs", row.Runs);
            json.WriteNumber("inputTokens", row.InputTokens);
            json.WriteNumber("outputTokens", row.OutputTokens);
            json.WriteNumber("costUsd", row.Cost);
            if (row.CostPerRun is { } perRun) json.WriteNumber("costPerRunUsd", perRun); else json.WriteNull("costPerRunUsd");
            json.WriteNumber("successes", row.Successes);
            if (row.CostPerSuccess is { } perSuccess) json.WriteNumber("costPerSuccessUsd", perSuccess); else json.WriteNull("costPerSuccessUsd");
            json.WriteNumber("outcomeValueUsd", row.OutcomeValue);
            json.WriteNumber("cacheSavingsUsd", row.CacheSavings);
            json.WriteEndObject();
        }
    }

    // JSON names are camelCase like the numbers beside them.
    private static string JsonName(string column) => column == "cost_center" ? "costCenter" : column;

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string M(decimal? v) => v is { } m ? m.ToString("0.######", CultureInfo.InvariantCulture) : string.Empty;
}
