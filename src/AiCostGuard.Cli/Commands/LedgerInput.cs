using System.CommandLine;
using System.Globalization;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>--ledger F [--since T] [--until T]</c>: the ledger a command reads (a JSON Lines file, a directory of them, or
/// <c>-</c> for standard input), cut to the calls and outcomes in <c>[since, until)</c>, UTC.
/// </summary>
internal sealed class LedgerInput
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public Option<string> Ledger { get; } = new("--ledger") { Description = "A JSON Lines ledger file, a directory of them, or - for standard input.", Required = true };

    public Option<string> Since { get; } = new("--since") { Description = "Only records at or after this UTC time: 2026-07-01 or 2026-07-01T09:30:00Z." };

    public Option<string> Until { get; } = new("--until") { Description = "Only records before this UTC time (exclusive): 2026-08-01 or 2026-07-31T18:00:00Z." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Ledger);
        command.Options.Add(Since);
        command.Options.Add(Until);
    }

    /// <summary>Reads the ledger, warns about skipped lines on <paramref name="error"/>, and keeps the records in the time range.</summary>
    public LedgerContents Read(ParseResult result, TextWriter error)
    {
        DateTimeOffset? since = ParseTime("--since", result.GetValue(Since));
        DateTimeOffset? until = ParseTime("--until", result.GetValue(Until));
        if (since >= until)
        {
            throw new CommandInputException($"--since ({result.GetValue(Since)}) must be before --until ({result.GetValue(Until)}).");
        }

        string path = result.GetValue(Ledger)!;
        LedgerContents contents = path == CommandFiles.StandardStream ? ReadStandardInput() : CostLedgerReader.Read(path);
        if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
        {
            throw new CommandInputException(contents.SkippedLines.Count > 0
                ? $"'{CommandFiles.Name(path)}' holds no readable ledger record ({contents.SkippedLines.Count} lines skipped; first: {contents.SkippedLines[0]})."
                : $"'{CommandFiles.Name(path)}' holds no ledger record.");
        }

        foreach (string skipped in contents.SkippedLines)
        {
            CommandOutput.Warn(error, "skipped " + skipped);
        }

        if (since is null && until is null)
        {
            return contents;
        }

        bool InRange(DateTimeOffset t) => (since is null || t >= since) && (until is null || t < until);
        return new LedgerContents([.. contents.Calls.Where(c => InRange(c.Timestamp))], [.. contents.Outcomes.Where(o => InRange(o.Timestamp))], contents.SkippedLines);
    }

    private static DateTimeOffset? ParseTime(string option, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(value.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : throw new CommandInputException($"{option} '{value}' is not a UTC date or time such as 2026-07-01 or 2026-07-01T09:30:00Z.");
    }

    // The reader takes a path (it names the file and line of every skipped record), so standard input goes through a
    // private temporary file, and the skipped lines name standard input instead.
    private static LedgerContents ReadStandardInput()
    {
        byte[] bytes = CommandFiles.ReadBytes("--ledger", CommandFiles.StandardStream);
        string folder = Directory.CreateTempSubdirectory("aicostguard-stdin-").FullName;
        string file = Path.Combine(folder, "stdin" + CostLedgerSchema.FileExtension);
        try
        {
            File.WriteAllBytes(file, bytes);
            LedgerContents contents = CostLedgerReader.Read(file);
            return new LedgerContents(contents.Calls, contents.Outcomes, [.. contents.SkippedLines.Select(s => s.Replace(file, "standard input", StringComparison.Ordinal))]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
