using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// How every command answers: the bare number on the last line, or a JSON breakdown; bad input as one line
/// <c>error: ...</c> on the error writer, no usage text, exit code <see cref="Failed"/>.
/// </summary>
internal static class CommandOutput
{
    /// <summary>The exit code of a command refused for its input (a command line that does not parse exits with <see cref="UsageError"/>).</summary>
    public const int Failed = 1;

    /// <summary>The exit code of a command line that does not parse.</summary>
    public const int UsageError = 2;

    /// <summary>The exit code of a failure that is not the input's fault: a defect, reported as one line all the same.</summary>
    public const int InternalError = 70;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <paramref name="number"/> alone, or <paramref name="breakdown"/> as JSON when asked.</summary>
    public static int Write(TextWriter output, bool json, decimal number, object breakdown)
    {
        output.WriteLine(json ? JsonSerializer.Serialize(breakdown, Json) : Format(number));
        return 0;
    }

    /// <summary>Drops trailing zeros (2.50000 → 2.5) so JSON amounts read as published.</summary>
    public static decimal Normalize(decimal amount) => amount / 1.0000000000000000000000000000m;

    /// <summary>Formats a count or an amount without exponent, trailing zeros or culture-specific separators.</summary>
    public static string Format(decimal number) => number.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>Runs a command body, turning the errors a user can cause into one line and <see cref="Failed"/>.</summary>
    public static int Run(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsInputError(e))
        {
            return Fail(error, e.Message);
        }
    }

    /// <summary>Writes one line <c>error: ...</c>, with line breaks and control characters made visible, and returns <see cref="Failed"/>.</summary>
    public static int Fail(TextWriter error, string message)
    {
        error.WriteLine("error: " + TerminalText.Clean(message.ReplaceLineEndings(" ").Trim()));
        return Failed;
    }

    /// <summary>Writes one line <c>warning: ...</c>.</summary>
    public static void Warn(TextWriter error, string message) => error.WriteLine("warning: " + TerminalText.Clean(message.ReplaceLineEndings(" ").Trim()));

    /// <summary>Whether <paramref name="e"/> is what bad input (a file, a value, a catalog, a ledger) gives rather than a defect.</summary>
    public static bool IsInputError(Exception e) =>
        e is CommandInputException or PriceCatalogFormatException or JsonException or IOException or UnauthorizedAccessException
            or ArgumentException or OverflowException or UnknownModelException;
}
