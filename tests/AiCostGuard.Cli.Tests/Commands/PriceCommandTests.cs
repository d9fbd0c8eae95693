using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class PriceCommandTests
{
    [Fact]
    public void Prices_cached_and_reasoning_tokens_in_the_OpenAI_convention()
    {
        // gpt-4o: 800 uncached × $2.50 + 200 cached × $1.25 + 500 output × $10, per million.
        (int code, string output, _) = CliFixture.Run("price", "--model", "gpt-4o", "--input", "1000", "--cached", "200", "--output", "500", "--reasoning", "100");
        Assert.Equal(0, code);
        Assert.Equal("0.00725", CliFixture.LastLine(output));
    }

    [Fact]
    public void Prices_with_a_LiteLLM_file_keyed_as_the_file_is_with_cache_writes_and_the_long_context_tier()
    {
        // Above 200k input, Claude Sonnet 4.5 moves to $6 in, $0.60 read, $7.50 5-minute write, $12 1-hour write, $22.50 out.
        (int code, string output, _) = CliFixture.Run("price", "--catalog", CliFixture.LiteLlmFile, "--model", "anthropic/claude-sonnet-4-5",
            "--input", "250000", "--cached", "100000", "--cache-write", "50000", "--cache-write-1h", "10000", "--output", "1000");
        Assert.Equal(0, code);
        decimal expected = (90_000 * 6m + 100_000 * 0.6m + 50_000 * 7.5m + 10_000 * 12m + 1000 * 22.5m) / 1_000_000m;
        Assert.Equal(expected, decimal.Parse(CliFixture.LastLine(output), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Prices_dashscope_models_from_the_LiteLLM_file()
    {
        (int code, string output, _) = CliFixture.Run("price", "--catalog", CliFixture.LiteLlmFile, "--model", "dashscope/qwen-plus", "--input", "1000000", "--output", "1000000");
        Assert.Equal(0, code);
        Assert.Equal("1.6", CliFixture.LastLine(output));
    }

    [Fact]
    public void Json_gives_the_breakdown_with_the_tier_and_notes()
    {
        (int code, string output, _) = CliFixture.Run("price", "--model", "gpt-5", "--input", "1000", "--output", "1000", "--service-tier", "flex", "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal("flex", json.RootElement.GetProperty("serviceTier").GetString());
        Assert.Equal((1000 * 0.625m + 1000 * 5m) / 1_000_000m, json.RootElement.GetProperty("total").GetDecimal());
    }

    [Theory]
    [InlineData("--model", "no-such-model", "--input", "1")]
    [InlineData("--model", "gpt-4o", "--input", "abc")]
    [InlineData("--model", "gpt-4o", "--input", "10", "--cached", "20")]
    [InlineData("--model", "gpt-4o", "--input", "10", "--output", "5", "--reasoning", "6")]
    [InlineData("--model", "gpt-4o", "--input", "-1")]
    [InlineData("--input", "10")]
    public void Bad_input_exits_non_zero_with_a_one_line_error(params string[] args)
    {
        (int code, string output, string error) = CliFixture.Run(["price", .. args]);
        Assert.NotEqual(0, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_malformed_catalog_file_is_reported_naming_the_entry_and_the_field()
    {
        using var files = new CliFixture();
        string catalog = files.File("prices.json", """{ "m": { "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06 } }""");
        (int code, _, string error) = CliFixture.Run("price", "--catalog", catalog, "--model", "m", "--input", "1");
        Assert.Equal(1, code);
        Assert.Contains("Entry 'm': the field 'input_cost_per_token'", error, StringComparison.Ordinal);
    }
}
