using System.Globalization;

namespace AiCostGuard.PostgreSql.Tests;

public sealed class PostgreSqlLedgerOptionsTests
{
    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    public void Validation_reads_its_limits_the_same_in_every_culture(string culture)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Empty(new PostgreSqlLedgerOptions { ConnectionString = "Host=x", RetryDelay = TimeSpan.FromMilliseconds(10) }.Validate());
            Assert.Equal(
                ["RetryDelay:"],
                new PostgreSqlLedgerOptions { ConnectionString = "Host=x", RetryDelay = TimeSpan.FromMilliseconds(9) }.Validate().Select(p => p[..(p.IndexOf(':', StringComparison.Ordinal) + 1)]));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_data_source_makes_the_connection_string_optional()
    {
        Assert.Empty(new PostgreSqlLedgerOptions().Validate(hasDataSource: true));
        Assert.Single(new PostgreSqlLedgerOptions().Validate());
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(17, false)]
    public void Batches_stored_at_once_are_one_to_sixteen(int batches, bool valid)
    {
        IReadOnlyList<string> problems = new PostgreSqlLedgerOptions { ConnectionString = "Host=x", MaximumConcurrentBatches = batches }.Validate();

        Assert.Equal(valid ? [] : ["MaximumConcurrentBatches:"], problems.Select(p => p[..(p.IndexOf(':', StringComparison.Ordinal) + 1)]));
    }
}
