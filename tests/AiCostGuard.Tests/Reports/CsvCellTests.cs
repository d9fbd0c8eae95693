using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Reports;

public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil/\")/gpt-4o-mini", "\"'=HYPERLINK(\"\"http://evil/\"\")/gpt-4o-mini\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-A1+A2", "'-A1+A2")]
    [InlineData("@A1", "'@A1")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("-1e5", "'-1e5")]
    public void Text_that_would_start_a_formula_is_neutralized_with_an_apostrophe(string cell, string written)
    {
        Assert.Equal(written, CsvCell.Format(cell));
    }

    [Theory]
    [InlineData("-0.25")]
    [InlineData("+3")]
    [InlineData("-12")]
    [InlineData("0.0033375")]
    [InlineData("gpt-4o")]
    [InlineData("rerank v2")]
    public void Numbers_and_plain_text_are_written_as_they_are(string cell)
    {
        Assert.Equal(cell, CsvCell.Format(cell));
    }

    [Theory]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("one\rtwo", "\"one\rtwo\"")]
    [InlineData("one\ntwo", "\"one\ntwo\"")]
    public void Commas_quotes_and_line_breaks_are_quoted_so_a_bare_CR_never_splits_a_row(string cell, string written)
    {
        Assert.Equal(written, CsvCell.Format(cell));
    }

    [Fact]
    public void A_row_ends_with_CR_LF_and_null_is_an_empty_cell()
    {
        var csv = new StringWriter();
        CsvCell.WriteRow(csv, ["a", null, "b"]);
        Assert.Equal("a,,b\r\n", csv.ToString());
    }

    /// <summary>Any text, written in a row and read back by an RFC 4180 reader, is one field whose content cannot start a formula.</summary>
    [Property(MaxTest = 500)]
    public Property Any_text_reads_back_as_one_field_that_is_not_a_formula()
    {
        Gen<string> hostile = Gen.Elements("=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ",", "\"", "'", "a", "1", ".", " ", "\u202E", "HYPERLINK(")
            .ListOf().Select(parts => string.Concat(parts));
        return Prop.ForAll(hostile.ToArbitrary(), text =>
        {
            var csv = new StringWriter();
            CsvCell.WriteRow(csv, ["left", text, "right"]);
            List<Dictionary<string, string>> rows = FocusExportTests.Parse("l,c,r\r\n" + csv);
            string read = Assert.Single(rows)["c"];
            bool roundTrips = read == text || read == "'" + text;
            bool safe = read.Length == 0 || !"=+-@\t\r".Contains(read[0], StringComparison.Ordinal)
                || decimal.TryParse(read, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
            return roundTrips && safe;
        });
    }
}
