namespace AiCostGuard;

/// <summary>
/// What the input of a call is made of, by character class: what the estimate for a model family without a shipped
/// tokenizer is computed from, and what its calibration learns a rate per class for.
/// </summary>
/// <remarks>
/// Tokenizers spend very different numbers of tokens per character on different scripts (a Chinese character costs
/// about as much as a whole English word), on digits (grouped by three in some vocabularies, one by one in others), on
/// punctuation and on layout. Counting each class apart lets one calibration hold for English prose, code, tables of
/// numbers and Japanese alike. Counts are of UTF-16 code units except <see cref="Symbols"/>, which counts code points.
/// </remarks>
public readonly record struct TextComposition
{
    /// <summary>Gets the number of chat messages.</summary>
    public int Messages { get; init; }

    /// <summary>Gets the words among the most frequent English words (<c>the</c>, <c>of</c>, <c>and</c>…): about one token each in every vocabulary.</summary>
    public int CommonWords { get; init; }

    /// <summary>Gets the other runs of Latin letters: words that a vocabulary may split into several tokens.</summary>
    public int LatinWords { get; init; }

    /// <summary>Gets the letters of <see cref="LatinWords"/>.</summary>
    public int LatinLetters { get; init; }

    /// <summary>Gets the Latin letters outside ASCII (<c>é</c>, <c>ü</c>, <c>ß</c>): a mark of languages other than English, which English-heavy vocabularies split more.</summary>
    public int AccentedLetters { get; init; }

    /// <summary>Gets the words (common or not) that start with a capital letter: German nouns, names, identifiers in Pascal case, which vocabularies hold fewer of.</summary>
    public int CapitalizedWords { get; init; }

    /// <summary>Gets the Han characters and Hangul syllables, with CJK punctuation and full-width forms.</summary>
    public int Cjk { get; init; }

    /// <summary>Gets the Japanese kana (hiragana and katakana).</summary>
    public int Kana { get; init; }

    /// <summary>Gets the letters of other scripts: Cyrillic, Greek, Arabic, Hebrew, Indic, Thai and the rest.</summary>
    public int OtherLetters { get; init; }

    /// <summary>Gets the decimal digits.</summary>
    public int Digits { get; init; }

    /// <summary>Gets the groups of up to three digits that numbers split into (a number of seven digits is three groups): the unit of vocabularies that hold numbers up to 999.</summary>
    public int DigitGroups { get; init; }

    /// <summary>Gets punctuation marks and symbols within the Basic Multilingual Plane.</summary>
    public int Punctuation { get; init; }

    /// <summary>Gets the runs of punctuation and symbols (<c>");"</c> is one run): vocabularies merge common runs into one token.</summary>
    public int PunctuationRuns { get; init; }

    /// <summary>Gets the white space that is layout: each line break, and each run of spaces or tabs that does not just separate two words (indentation, alignment).</summary>
    public int Whitespace { get; init; }

    /// <summary>Gets the code points outside the Basic Multilingual Plane (emoji, rare Han) and other pictographic symbols.</summary>
    public int Symbols { get; init; }

    /// <summary>Gets tokens that are known rather than estimated from text, such as images counted by their size.</summary>
    public long FixedTokens { get; init; }

    /// <summary>Gets whether nothing was classified (an exact count, or an estimate made from a token count alone).</summary>
    public bool IsEmpty => this == default;

    internal TextComposition Add(in TextComposition other) => new()
    {
        Messages = Messages + other.Messages,
        CommonWords = CommonWords + other.CommonWords,
        LatinWords = LatinWords + other.LatinWords,
        LatinLetters = LatinLetters + other.LatinLetters,
        AccentedLetters = AccentedLetters + other.AccentedLetters,
        CapitalizedWords = CapitalizedWords + other.CapitalizedWords,
        Cjk = Cjk + other.Cjk,
        Kana = Kana + other.Kana,
        OtherLetters = OtherLetters + other.OtherLetters,
        Digits = Digits + other.Digits,
        DigitGroups = DigitGroups + other.DigitGroups,
        Punctuation = Punctuation + other.Punctuation,
        PunctuationRuns = PunctuationRuns + other.PunctuationRuns,
        Whitespace = Whitespace + other.Whitespace,
        Symbols = Symbols + other.Symbols,
        FixedTokens = FixedTokens + other.FixedTokens,
    };
}
