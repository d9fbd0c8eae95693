using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class QuoteCommandTests : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Quotes_the_worst_case_the_exact_prompt_plus_the_maximum_output()
    {
        // The cookbook request is 33 prompt tokens on gpt-4o without tools: 33 × $2.50 + 500 × $10, per million.
        (int code, string output, _) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--max-output", "500");
        Assert.Equal(0, code);
        Assert.Equal((33 * 2.5m + 500 * 10m) / 1_000_000m, decimal.Parse(CliFixture.LastLine(output), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Json_gives_the_breakdown()
    {
        (int code, string output, _) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--tools-file", _files.File("t.json", CountCommandTests.WeatherTools), "--max-output", "10", "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(101, json.RootElement.GetProperty("inputTokens").GetInt64());
        Assert.Equal((101 * 2.5m + 10 * 10m) / 1_000_000m, json.RootElement.GetProperty("worstCase").GetDecimal());
    }

    [Fact]
    public void An_image_given_by_url_is_quoted_at_the_largest_image_the_tile_rule_can_bill()
    {
        const string Messages = """
            [{"role": "user", "content": [{"type": "text", "text": "What is in this picture?"}, {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]
            """;
        (int code, string output, _) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("image.json", Messages), "--max-output", "100", "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        long estimated = json.RootElement.GetProperty("inputTokens").GetInt64();
        long worstInput = json.RootElement.GetProperty("worstCaseInputTokens").GetInt64();

        Assert.Equal(1445 - 765, worstInput - estimated);
        Assert.Equal("Bounded", json.RootElement.GetProperty("precision").GetString());
        Assert.Equal(((worstInput * 2.5m) + (100 * 10m)) / 1_000_000m, json.RootElement.GetProperty("worstCase").GetDecimal());
    }

    [Fact]
    public void Without_max_output_the_quote_is_at_the_models_maximum_output()
    {
        // gpt-4o answers at most 16,384 tokens: 33 × $2.50 + 16,384 × $10, per million.
        (int code, string output, string error) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--json");
        Assert.True(code == 0, error);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(16_384, json.RootElement.GetProperty("maxOutputTokens").GetInt64());
        Assert.Equal("catalog", json.RootElement.GetProperty("maxOutputSource").GetString());
        Assert.Equal((33 * 2.5m + 16_384 * 10m) / 1_000_000m, json.RootElement.GetProperty("worstCase").GetDecimal());

        string catalog = _files.File("c.json", """{ "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06 } }""");
        BadInputTests.AssertRefused(CliFixture.Run("quote", "--catalog", catalog, "--model", "m", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages)), "no maximum output for 'm': give --max-output");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_maximum_output_that_is_not_positive_is_rejected(string maxOutput)
    {
        (int code, _, string error) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--max-output", maxOutput);
        Assert.Equal(1, code);
        Assert.StartsWith("error: --max-output", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_tool_prints_the_bare_number_on_its_last_line()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "AiCostGuard.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { tool, "price", "--model", "gpt-4o", "--input", "1000", "--output", "500" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        Assert.Equal("0.0075", CliFixture.LastLine(output));
    }

    [Fact]
    public void Candidates_are_each_quoted_at_their_worst_case_with_the_cheapest_that_fits_chosen()
    {
        // 33 prompt tokens on each (all o200k_base); gpt-4o and gpt-4o-mini write at most 16,384 output tokens, so 20,000 fit neither.
        string messages = _files.File("m.json", CountCommandTests.WeatherMessages);
        (int code, string output, string error) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", messages, "--max-output", "20000", "--candidates", "gpt-4o, gpt-4o-mini,gpt-4.1-nano", "--json");
        Assert.True(code == 0, error);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement[] candidates = [.. json.RootElement.GetProperty("candidates").EnumerateArray()];

        Assert.Equal(["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano"], candidates.Select(c => c.GetProperty("model").GetString()));
        Assert.Equal((33 * 2.5m + 20_000 * 10m) / 1_000_000m, candidates[0].GetProperty("worstCase").GetDecimal());
        Assert.Equal((33 * 0.1m + 20_000 * 0.4m) / 1_000_000m, candidates[2].GetProperty("worstCase").GetDecimal());
        Assert.Equal([false, false, true], candidates.Select(c => c.GetProperty("chosen").GetBoolean()));
        Assert.Contains("writes at most 16384 output tokens", candidates[1].GetProperty("unfit").GetString(), StringComparison.Ordinal);

        // Plain: a line per candidate, then the quoted model's worst case on the last line, as without --candidates.
        (code, output, _) = CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", messages, "--max-output", "10000", "--candidates", "gpt-4o,gpt-4.1-nano");
        Assert.Equal(0, code);
        Assert.Equal(["gpt-4o\t0.1000825\tfits", "gpt-4.1-nano\t0.0040033\tchosen", "0.1000825"], output.Trim().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void A_candidate_the_catalog_does_not_price_is_refused()
    {
        BadInputTests.AssertRefused(
            CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--candidates", "gpt-4o,gpt-9-ultra"),
            "'gpt-9-ultra' has no price in the catalog");
    }

    public void Dispose() => _files.Dispose();
}
