using System.CommandLine;
using System.Globalization;
using AiCostGuard.PostgreSql;
using Npgsql;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>--ledger F | --connection C [--schema S] [--since T] [--until T]</c>: the ledger a command reads — a JSON Lines
/// file, a directory of them, <c>-</c> for standard input, or the PostgreSQL ledger — cut to the calls and outcomes in
/// <c>[since, until)</c>, UTC. Files and PostgreSQL give the same <see cref="LedgerContents"/>, so every command reads
/// the same answers from both.
/// </summary>
internal sealed class LedgerInput
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public Option<string> Ledger { get; } = new("--ledger") { Description = "A JSON Lines ledger file, a directory of them, or - for standard input." };

    public Option<string> Connection { get; } = ConnectionOption();

    public Option<string> Schema { get; } = SchemaOption();

    public Option<string> Since { get; } = new("--since") { Description = "Only records at or after this UTC time: 2026-07-01 or 2026-07-01T09:30:00Z." };

    public Option<string> Until { get; } = new("--until") { Description = "Only records before this UTC time (exclusive): 2026-08-01 or 2026-07-31T18:00:00Z." };

    /// <summary>A new <c>--connection</c> option: the PostgreSQL ledger to read instead of files.</summary>
    public static Option<string> ConnectionOption() => new("--connection") { Description = "An Npgsql connection string (\"Host=...;Database=...\"): read the PostgreSQL ledger instead of files." };

    /// <summary>A new <c>--schema</c> option: the PostgreSQL schema of the ledger.</summary>
    public static Option<string> SchemaOption() => new("--schema") { Description = "The PostgreSQL schema of the ledger (with --connection).", DefaultValueFactory = _ => "aicostguard" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Ledger);
        command.Options.Add(Connection);
        command.Options.Add(Schema);
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

        string? path = result.GetValue(Ledger);
        string? connection = result.GetValue(Connection);
        if ((path is null) == (connection is null))
        {
            throw new CommandInputException("give either --ledger (JSON Lines files, or - for standard input) or --connection (a PostgreSQL ledger).");
        }

        LedgerContents contents = connection is not null ? ReadPostgreSql(connection, result.GetValue(Schema)!)
            : path == CommandFiles.StandardStream ? ReadStandardInput()
            : CostLedgerReader.Read(path!);
        if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
        {
            string source = connection is not null ? $"the PostgreSQL ledger in schema '{result.GetValue(Schema)}'" : $"'{CommandFiles.Name(path!)}'";
            throw new CommandInputException(contents.SkippedLines.Count > 0
                ? $"{source} holds no readable ledger record ({contents.SkippedLines.Count} lines skipped; first: {contents.SkippedLines[0]})."
                : $"{source} holds no ledger record.");
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
        return new LedgerContents([.. contents.Calls.Where(c => InRange(c.Timestamp))], [.. contents.Outcomes.Where(o => InRange(o.Timestamp))], contents.SkippedLines)
        {
            EnvelopeSteps = [.. contents.EnvelopeSteps.Where(s => InRange(s.Time))],
        };
    }

    /// <summary>Reads the PostgreSQL ledger; a database that cannot be read is a one-line input error.</summary>
    public static LedgerContents ReadPostgreSql(string connection, string schema)
    {
        try
        {
            using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connection);
            return PostgreSqlLedgerReader.ReadAsync(dataSource, schema).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or TimeoutException)
        {
            throw new CommandInputException($"cannot read the PostgreSQL ledger: {e.Message}");
        }
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
            return contents with { SkippedLines = [.. contents.SkippedLines.Select(s => s.Replace(file, "standard input", StringComparison.Ordinal))] };
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
