using System.Buffers;

namespace AiCostGuard;

/// <summary>
/// Validates attribution values, so that user input cannot smuggle free text, control characters or unbounded
/// cardinality into metrics, spans and the ledger.
/// </summary>
public static class AttributionValue
{
    /// <summary>The longest value accepted, in characters.</summary>
    public const int MaximumLength = 128;

    /// <summary>The most free tags one attribution may carry.</summary>
    public const int MaximumTagCount = 16;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@+ ");

    // A cell beginning with one of these is a formula to Excel, LibreOffice and Google Sheets (CSV and FOCUS exports).
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@");

    /// <summary>Returns whether <paramref name="value"/> is a valid attribution value.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="error">When invalid, why.</param>
    /// <returns><see langword="true"/> when the value is non-empty, at most <see cref="MaximumLength"/> characters long,
    /// has no leading or trailing space, uses only letters, digits, space and <c>- _ . : / @ +</c>, and does not begin
    /// with <c>+ - @ =</c>, which spreadsheets read as the start of a formula.</returns>
    public static bool IsValid(string? value, out string? error)
    {
        if (string.IsNullOrEmpty(value))
        {
            error = "is empty";
            return false;
        }

        if (value.Length > MaximumLength)
        {
            error = $"is {value.Length} characters long; the maximum is {MaximumLength}";
            return false;
        }

        if (FormulaStart.Contains(value[0]))
        {
            error = $"begins with '{value[0]}', which spreadsheets read as a formula";
            return false;
        }

        int bad = value.AsSpan().IndexOfAnyExcept(Allowed);
        if (bad >= 0)
        {
            error = $"contains the character U+{(int)value[bad]:X4} at position {bad}; allowed are letters, digits, space and - _ . : / @ +";
            return false;
        }

        if (value[0] == ' ' || value[^1] == ' ')
        {
            error = "has leading or trailing space";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Throws when <paramref name="value"/> is not <see langword="null"/> and not valid.</summary>
    /// <param name="value">The value to check; <see langword="null"/> means "not set" and is accepted.</param>
    /// <param name="name">The name of the dimension or tag, for the message.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentException">The value is not valid.</exception>
    public static string? Validate(string? value, string name)
    {
        if (value is not null && !IsValid(value, out string? error))
        {
            throw new ArgumentException($"The attribution value for '{name}' {error}.", name);
        }

        return value;
    }
}
