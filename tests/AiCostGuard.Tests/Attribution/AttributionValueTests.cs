using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Attribution;

public sealed class AttributionValueTests
{
    [Theory]
    [InlineData("+1+1")]
    [InlineData("-A1+A2")]
    [InlineData("@A1")]
    [InlineData("=1+1")]
    [InlineData("@SUM(A1:A2)")]
    public void A_value_a_spreadsheet_would_read_as_a_formula_is_rejected_at_the_boundary(string value)
    {
        Assert.False(AttributionValue.IsValid(value, out string? error));
        Assert.Contains("formula", error, StringComparison.Ordinal);

        ArgumentException e = Assert.Throws<ArgumentException>(() => new CostAttribution { Team = value });
        Assert.Contains("formula", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CostAttribution { Tags = new Dictionary<string, string> { ["ticket"] = value } });
    }

    [Theory]
    [InlineData("user@example.com")]
    [InlineData("c++")]
    [InlineData("search-v2")]
    [InlineData("10.0.0.1:8080/a")]
    public void The_same_characters_inside_a_value_are_fine(string value) => Assert.True(AttributionValue.IsValid(value, out _));

    [Property(MaxTest = 500)]
    public Property A_valid_value_never_begins_like_a_formula_and_prefixing_one_makes_it_invalid(NonNull<string> text, bool plus)
    {
        string value = text.Get;
        bool valid = AttributionValue.IsValid(value, out _);
        bool looksLikeFormula = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal);
        string prefixed = (plus ? "+" : "@") + (value.Length > 0 ? value : "A1");
        return (!(valid && looksLikeFormula) && !AttributionValue.IsValid(prefixed, out _)).Label(value);
    }
}
