using System.CommandLine;

namespace AiCostGuard.Cli;

/// <summary><c>aicostguard export focus --ledger F --out F.csv</c>: the ledger as a FOCUS 1.2 cost and usage CSV.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ledger = new Option<string>("--ledger") { Description = "A JSON Lines ledger file, or a directory of them.", Required = true };
        var outFile = new Option<string>("--out") { Description = "The CSV file to write.", Required = true };
        var account = new Option<string>("--billing-account") { Description = "The BillingAccountId written in every row.", DefaultValueFactory = _ => "aicostguard" };
        var focus = new Command("focus", "Write the ledger as a FOCUS 1.2 (FinOps Open Cost and Usage Specification) CSV, one Usage row per call.")
        {
            ledger, outFile, account,
        };
        focus.SetAction(result => CliErrors.Run(error, () =>
        {
            LedgerContents contents = CliErrors.ReadLedger(result.GetValue(ledger)!);
            foreach (string skipped in contents.SkippedLines)
            {
                error.WriteLine($"warning: skipped {skipped}");
            }

            string path = result.GetValue(outFile)!;
            int rows;
            using (var writer = new StreamWriter(path))
            {
                rows = FocusExport.Write(contents.Calls, writer, result.GetValue(account)!);
            }

            output.WriteLine($"Wrote {rows} FOCUS rows to {path}");
            return 0;
        }));
        return new Command("export", "Export the ledger for FinOps tools.") { focus, CloudEventsExportCommand.Create(output, error) };
    }
}
