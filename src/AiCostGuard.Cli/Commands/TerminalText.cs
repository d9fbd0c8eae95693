using System.Globalization;
using System.Text;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// Text from a ledger or a file, made safe to print on a terminal: control characters (ESC, BEL, ...) and the
/// invisible characters that reorder text (bidi overrides and isolates such as U+202E) are shown as <c>\u....</c>
/// escapes, so a hostile model id can neither drive the terminal nor disguise what it says.
/// </summary>
internal static class TerminalText
{
    public static string Clean(string text)
    {
        int first = 0;
        while (first < text.Length && !IsUnsafe(text[first]))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var clean = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (IsUnsafe(c))
            {
                clean.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    // C0 and C1 controls and DEL; the bidi embeddings, overrides, isolates and marks.
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}
