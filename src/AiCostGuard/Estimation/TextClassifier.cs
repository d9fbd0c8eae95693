using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>Counts text by character class (<see cref="TextComposition"/>), once per string instance.</summary>
/// <remarks>
/// A history re-sent on every turn is classified once: the composition of each string of at least
/// <see cref="MinimumCachedLength"/> characters is kept for as long as the string lives. Thread-safe.
/// </remarks>
internal static class TextClassifier
{
    /// <summary>Shorter strings are classified again each time: cheaper than a cache lookup.</summary>
    public const int MinimumCachedLength = 64;

    private static readonly ConditionalWeakTable<object, StrongBox<TextComposition>> Cache = new();

    // The most frequent English words: function words and the commonest verbs and nouns, each one token (with its
    // leading space) in every large vocabulary.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Common = (
        "the of and to a in is it you that he was for on are with as i his they be at one have this from or had by not but what "
        + "some we can out other were all there when up use your how said an each she which do their time if will way about many then "
        + "them would like so these her make see him two has more day could go come did no most people my over know than call first "
        + "who may down been now find any new work part take get made where after back little only man year came show every good me give "
        + "our under very through just great think say help much before right too same tell does set three want well also small end put "
        + "here must big such why ask men went off need us again still should because while last never own let keep between"
    ).Split(' ').ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The longest word of <see cref="Common"/>.</summary>
    private const int LongestCommonWord = 7;

    public static TextComposition Classify(string text)
    {
        if (text.Length < MinimumCachedLength)
        {
            return Classify(text.AsSpan());
        }

        if (Cache.TryGetValue(text, out StrongBox<TextComposition>? cached))
        {
            return cached.Value;
        }

        TextComposition composition = Classify(text.AsSpan());
        Cache.AddOrUpdate(text, new StrongBox<TextComposition>(composition));
        return composition;
    }

    /// <summary>Classifies the text that <paramref name="key"/> (a content item or tool, immutable once sent) renders to, rendering it only the first time.</summary>
    public static TextComposition Classify<TKey>(TKey key, Func<TKey, string> render)
        where TKey : class
    {
        if (Cache.TryGetValue(key, out StrongBox<TextComposition>? cached))
        {
            return cached.Value;
        }

        TextComposition composition = Classify(render(key).AsSpan());
        Cache.AddOrUpdate(key, new StrongBox<TextComposition>(composition));
        return composition;
    }

    public static TextComposition Classify(ReadOnlySpan<char> text)
    {
        int common = 0, latin = 0, words = 0, accented = 0, capitalized = 0, groups = 0, cjk = 0, kana = 0, other = 0, digits = 0, punctuation = 0, punctuationRuns = 0, whitespace = 0, symbols = 0;
        Kind previous = Kind.LineBreak;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            Kind kind = Of(c);
            switch (kind)
            {
                case Kind.Latin:
                    // A word ends where the letters do, or where a lower-case letter is followed by a capital
                    // ("customerId" is two words): tokenizers split there too.
                    int end = i + 1;
                    while (end < text.Length && Of(text[end]) == Kind.Latin && !(char.IsLower(text[end - 1]) && char.IsUpper(text[end])))
                    {
                        end++;
                    }

                    capitalized += char.IsUpper(c) ? 1 : 0;

                    ReadOnlySpan<char> word = text[i..end];
                    if (word.Length <= LongestCommonWord && Common.Contains(word))
                    {
                        common++;
                    }
                    else
                    {
                        words++;
                        latin += word.Length;
                        for (int j = 0; j < word.Length; j++)
                        {
                            accented += word[j] >= '\u0080' ? 1 : 0;
                        }
                    }

                    i = end - 1;
                    break;
                case Kind.Digit:
                    // Many vocabularies hold numbers of up to three digits; others split every digit.
                    int last = i + 1;
                    while (last < text.Length && Of(text[last]) == Kind.Digit)
                    {
                        last++;
                    }

                    digits += last - i;
                    groups += (last - i + 2) / 3;
                    i = last - 1;
                    break;
                case Kind.Space:
                    // A single space after a word is part of the next word's token; any other run of spaces or tabs
                    // (indentation, alignment) is about one token however long.
                    int run = i + 1;
                    while (run < text.Length && Of(text[run]) == Kind.Space)
                    {
                        run++;
                    }

                    // A space before a number is a token of its own in every vocabulary measured: numbers take no leading space.
                    bool separates = run - i == 1 && c == ' ' && previous is not (Kind.Space or Kind.LineBreak) && !(run < text.Length && Of(text[run]) == Kind.Digit);
                    whitespace += separates ? 0 : 1;
                    i = run - 1;
                    break;
                case Kind.LineBreak:
                    whitespace += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 0 : 1;
                    break;
                case Kind.Cjk:
                    cjk++;
                    break;
                case Kind.Kana:
                    kana++;
                    break;
                case Kind.Other:
                    other++;
                    break;
                case Kind.Symbol:
                    symbols++;
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        i++;
                    }

                    break;
                case Kind.Punctuation:
                    punctuation++;
                    if (previous != Kind.Punctuation)
                    {
                        // Runs such as ");" or "\":" are often one token.
                        punctuationRuns++;
                    }

                    break;
            }

            previous = kind;
        }

        return new TextComposition
        {
            CommonWords = common,
            LatinWords = words,
            LatinLetters = latin,
            AccentedLetters = accented,
            CapitalizedWords = capitalized,
            Cjk = cjk,
            Kana = kana,
            OtherLetters = other,
            Digits = digits,
            DigitGroups = groups,
            Punctuation = punctuation,
            PunctuationRuns = punctuationRuns,
            Whitespace = whitespace,
            Symbols = symbols,
        };
    }

    private static Kind Of(char c)
    {
        if (c < 0x80)
        {
            return c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => Kind.Latin,
                >= '0' and <= '9' => Kind.Digit,
                ' ' => Kind.Space,
                '\n' or '\r' => Kind.LineBreak,
                '\t' or '\f' or '\v' => Kind.Space,
                _ => Kind.Punctuation,
            };
        }

        if (char.IsSurrogate(c) || c is '\u200D' or '\uFE0F')
        {
            // Emoji and their joiners and variation selectors: several UTF-8 bytes each, rarely merged.
            return Kind.Symbol;
        }

        if (c is (>= '\u00C0' and <= '\u024F' and not '\u00D7' and not '\u00F7') or (>= '\u1E00' and <= '\u1EFF'))
        {
            return Kind.Latin;
        }

        if (c is >= '\u3040' and <= '\u30FF')
        {
            return Kind.Kana;
        }

        if (c is (>= '\u1100' and <= '\u11FF') or (>= '\u2E80' and <= '\u33FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uA960' and <= '\uA97F') or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F')
            or (>= '\uFF00' and <= '\uFFEF'))
        {
            return Kind.Cjk;
        }

        return char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
                or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Kind.Other,
            UnicodeCategory.DecimalDigitNumber => Kind.Digit,
            UnicodeCategory.SpaceSeparator => Kind.Space,
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => Kind.LineBreak,
            UnicodeCategory.OtherSymbol => Kind.Symbol,
            _ => Kind.Punctuation,
        };
    }

    private enum Kind : byte
    {
        Latin,
        Digit,
        Space,
        LineBreak,
        Cjk,
        Kana,
        Other,
        Symbol,
        Punctuation,
    }
}
