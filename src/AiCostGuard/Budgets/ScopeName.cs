namespace AiCostGuard;

/// <summary>
/// Validates the name of a <see cref="BudgetScope"/>: it reaches span names, metric tags, the ledger and its CSV and
/// FOCUS exports, so it follows the rules of attribution values (<see cref="AttributionValue.IsValid"/>).
/// </summary>
internal static class ScopeName
{
    /// <summary>The name of a scope begun without one.</summary>
    public const string Default = "scope";

    /// <summary>Returns <paramref name="name"/>, or <see cref="Default"/> when none is given.</summary>
    /// <param name="name">The name given to <c>BudgetScope.Begin</c> or <c>BeginShare</c>.</param>
    /// <returns>The name to use.</returns>
    /// <exception cref="ArgumentException">The name is too long, has a character outside the allowed set, or begins like a spreadsheet formula.</exception>
    public static string Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Default;
        }

        if (!AttributionValue.IsValid(name, out string? error))
        {
            throw new ArgumentException($"The budget scope name '{Printable(name)}' {error}.", nameof(name));
        }

        return name;
    }

    /// <summary>Shows a rejected name in a message without passing its control characters on, and bounded.</summary>
    private static string Printable(string name)
    {
        string shown = name.Length > 64 ? name[..64] + "…" : name;
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) || char.GetUnicodeCategory(s[i]) == System.Globalization.UnicodeCategory.Format ? '?' : s[i];
            }
        });
    }
}
