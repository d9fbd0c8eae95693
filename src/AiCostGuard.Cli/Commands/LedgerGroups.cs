using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>What the FinOps commands share: several ledgers (or the PostgreSQL ledger) read as one, groups and days parsed, keys and amounts written as JSON.</summary>
internal static class LedgerGroups
{
    /// <summary>A new <c>--ledger F...</c> option: JSON Lines ledger files or directories; <c>--connection</c> reads PostgreSQL instead.</summary>
    public static Option<string[]> LedgersOption() => new("--ledger") { Description = "JSON Lines ledger files, or directories of them.", AllowMultipleArgumentsPerToken = true };

    /// <summary>Reads the ledger files of <paramref name="ledger"/> or the PostgreSQL ledger of <paramref name="connection"/>: exactly one must be given.</summary>
    public static LedgerContents Read(ParseResult result, Option<string[]> ledger, Option<string> connection, Option<string> schema, TextWriter error)
    {
        string[]? paths = result.GetValue(ledger);
        string? database = result.GetValue(connection);
        if ((paths is not { Length: > 0 }) == (database is null))
        {
            throw new CommandInputException("give either --ledger (JSON Lines files or directories) or --connection (a PostgreSQL ledger).");
        }

        if (database is null)
        {
            return Read(paths!, error);
        }

        string name = result.GetValue(schema)!;
        LedgerContents contents = LedgerInput.ReadPostgreSql(database, name);
        if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
        {
            throw new CommandInputException(contents.SkippedLines.Count > 0
                ? $"the PostgreSQL ledger in schema '{name}' holds no readable ledger record ({contents.SkippedLines.Count} rows skipped; first: {contents.SkippedLines[0]})."
                : $"the PostgreSQL ledger in schema '{name}' holds no ledger record.");
        }

        foreach (string line in contents.SkippedLines)
        {
            CommandOutput.Warn(error, "skipped " + line);
        }

        return contents;
    }

    /// <summary>Reads every ledger given, naming each skipped line on <paramref name="error"/>.</summary>
    public static LedgerContents Read(IReadOnlyList<string> paths, TextWriter error)
    {
        var calls = new List<CostRecord>();
        var outcomes = new List<OutcomeRecord>();
        var envelopeSteps = new List<EnvelopeStep>();
        var skipped = new List<string>();
        foreach (string path in paths)
        {
            LedgerContents contents = CostLedgerReader.Read(path);
            if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
            {
                throw new CommandInputException(contents.SkippedLines.Count > 0
                    ? $"'{CommandFiles.Name(path)}' holds no readable ledger record ({contents.SkippedLines.Count} lines skipped; first: {contents.SkippedLines[0]})."
                    : $"'{CommandFiles.Name(path)}' holds no ledger record.");
            }

            calls.AddRange(contents.Calls);
            outcomes.AddRange(contents.Outcomes);
            envelopeSteps.AddRange(contents.EnvelopeSteps);
            skipped.AddRange(contents.SkippedLines);
        }

        foreach (string line in skipped)
        {
            CommandOutput.Warn(error, "skipped " + line);
        }

        return new LedgerContents(calls, outcomes, skipped) { EnvelopeSteps = envelopeSteps };
    }

    /// <summary>Parses <c>--by</c> for commands that group days: team, feature, model, but not day.</summary>
    public static ReportDimensions ParseGroups(string value)
    {
        ReportDimensions by = ReportCommand.ParseBy(value);
        return (by & ReportDimensions.Day) == 0 ? by : throw new CommandInputException("--by 'day' is not one of team, feature, model: every group is already read day by day.");
    }

    /// <summary>Parses a YYYY-MM-DD day, or returns <see langword="null"/> for none.</summary>
    public static DateOnly? ParseDay(string option, string? value) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly day) ? day
        : throw new CommandInputException($"{option} '{value}' is not a date in the form YYYY-MM-DD.");

    /// <summary>Writes <c>"key": {...}</c>, one property per dimension grouped by.</summary>
    public static void WriteKey(Utf8JsonWriter json, IReadOnlyDictionary<string, string> key)
    {
        json.WriteStartObject("key");
        foreach (KeyValuePair<string, string> part in key)
        {
            json.WriteString(part.Key, part.Value);
        }

        json.WriteEndObject();
    }

    /// <summary>Drops trailing zeros so amounts read as JSON numbers in US dollars without noise (12.500000 → 12.5).</summary>
    public static decimal Money(decimal amount) => amount / 1.0000000000000000000000000000m;
}
