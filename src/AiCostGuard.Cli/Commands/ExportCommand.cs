using System.CommandLine;

namespace AiCostGuard.Cli.Commands;

/// <summary><c>aicostguard export focus --ledger F [--since T] [--until T] --out F.csv</c>: the ledger as a FOCUS 1.2 cost and usage CSV.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ledger = new LedgerInput();
        var outFile = new Option<string>("--out") { Description = "The CSV file to write (- for standard output).", Required = true };
        var account = new Option<string>("--billing-account") { Description = "The BillingAccountId written in every row.", DefaultValueFactory = _ => "aicostguard" };
        var focus = new Command("focus", "Write the ledger as a FOCUS 1.2 (FinOps Open Cost and Usage Specification) CSV, one Usage row per charge (each kind of token a call paid for).");
        ledger.AddTo(focus);
        focus.Options.Add(outFile);
        focus.Options.Add(account);
        focus.SetAction(result => CommandOutput.Run(error, () =>
        {
            LedgerContents contents = ledger.Read(result, error);
            string path = result.GetValue(outFile)!;
            int rows = 0;
            if (CommandFiles.Write(path, output, w => rows = FocusExport.Write(contents.Calls, w, result.GetValue(account)!)))
            {
                output.WriteLine($"Wrote {rows} FOCUS rows to {TerminalText.Clean(path)}");
            }

            return 0;
        }));
        return new Command("export", "Export the ledger for FinOps tools.") { focus, CloudEventsExportCommand.Create(output, error) };
    }
}
