using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>How every command answers: the bare number on the last line, or a JSON breakdown; failures as one line on the error writer.</summary>
internal static class CommandOutput
{
    public const int Failed = 1;

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

    /// <summary>Runs a command body, turning the errors a user can cause into one line and a non-zero exit code.</summary>
    public static int Run(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is CommandInputException or PriceCatalogFormatException or JsonException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return Failed;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
