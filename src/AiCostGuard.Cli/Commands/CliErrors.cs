namespace AiCostGuard.Cli;

/// <summary>Turns bad input into a one-line error and a non-zero exit code, for the ledger commands.</summary>
internal static class CliErrors
{
    public static int Run(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine("error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    public static LedgerContents ReadLedger(string path)
    {
        LedgerContents contents = CostLedgerReader.Read(path);
        if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
        {
            throw new CliException(contents.SkippedLines.Count > 0
                ? $"'{path}' holds no readable ledger record ({contents.SkippedLines.Count} lines skipped; first: {contents.SkippedLines[0]})."
                : $"'{path}' holds no ledger record.");
        }

        return contents;
    }
}
