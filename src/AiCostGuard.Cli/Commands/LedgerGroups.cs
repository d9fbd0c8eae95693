using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>What the FinOps commands share: several ledgers read as one, groups and days parsed, keys and amounts written as JSON.</summary>
internal static class LedgerGroups
{
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
