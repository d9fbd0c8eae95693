using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class TextClassifierTests
{
    [Fact]
    public void Each_character_class_is_counted()
    {
        TextComposition c = TextClassifier.Classify("The customerId für Größe:\n    x = 1234567; 你好 テスト Привет 🚀👩‍💻");

        Assert.Equal(1, c.CommonWords);                  // The
        Assert.Equal(5, c.LatinWords);                   // customer, Id, für, Größe, x
        Assert.Equal("customerIdfürGrößex".Length, c.LatinLetters);
        Assert.Equal(3, c.AccentedLetters);              // ü, ö, ß
        Assert.Equal(3, c.CapitalizedWords);             // The, Id, Größe
        Assert.Equal(2, c.Cjk);                          // 你好
        Assert.Equal(3, c.Kana);                         // テスト
        Assert.Equal(6, c.OtherLetters);                 // Привет
        Assert.Equal(7, c.Digits);
        Assert.Equal(3, c.DigitGroups);                  // 123 456 7
        Assert.Equal(3, c.Punctuation);                  // : = ;
        Assert.Equal(3, c.PunctuationRuns);
        Assert.Equal(3, c.Whitespace);                   // the line break, the indentation, the space before the number
        Assert.Equal(4, c.Symbols);                      // 🚀, 👩, the joiner, 💻
    }

    [Fact]
    public void A_long_string_is_classified_once()
    {
        string text = new string('a', 10) + " " + Guid.NewGuid() + new string(' ', TextClassifier.MinimumCachedLength);
        TextComposition first = TextClassifier.Classify(text);
        Assert.Equal(first, TextClassifier.Classify(text));
        Assert.Equal(first, TextClassifier.Classify(text.AsSpan()));
    }

    [Property(MaxTest = 200)]
    public Property Counts_are_never_negative_and_never_exceed_the_characters(string? text)
    {
        text ??= string.Empty;
        TextComposition c = TextClassifier.Classify(text.AsSpan());
        long counted = c.CommonWords + c.LatinLetters + c.Cjk + c.Kana + c.OtherLetters + c.Digits + c.Punctuation + c.Whitespace + c.Symbols;
        return (c.CommonWords >= 0 && c.LatinWords >= 0 && c.LatinWords <= c.LatinLetters && c.AccentedLetters <= c.LatinLetters
            && c.DigitGroups <= c.Digits && c.PunctuationRuns <= c.Punctuation && counted <= text.Length).ToProperty();
    }
}
