namespace AiCostGuard;

/// <summary>A policy's model pattern: <c>*</c> for any run of characters, <c>?</c> for one, letters compared ignoring case.</summary>
internal static class ModelPattern
{
    /// <summary>Whether <paramref name="pattern"/> matches one of the names a call's model goes by.</summary>
    public static bool MatchesAny(string pattern, ModelNames names) =>
        Matches(pattern, names.ModelId) || Matches(pattern, names.Canonical) || Matches(pattern, names.Qualified) || Matches(pattern, names.QualifiedCanonical);

    public static bool Matches(string pattern, string? text)
    {
        if (text is null)
        {
            return false;
        }

        // Greedy matching with one backtrack point: the last star, enough for globs without character classes.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern has a wildcard.</summary>
    public static bool IsGlob(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;
}
