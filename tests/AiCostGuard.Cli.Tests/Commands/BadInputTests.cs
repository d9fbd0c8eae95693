namespace AiCostGuard.Cli.Tests.Commands;

/// <summary>Every bad input gets one line <c>error: ...</c> on standard error, nothing on standard output, and a non-zero exit code.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliFixture _files = new();

    internal static void AssertRefused((int Code, string Output, string Error) result, string message)
    {
        Assert.True(result.Code is 1 or 2, $"exit code {result.Code}: {result.Error}");
        Assert.Equal(string.Empty, result.Output);
        string line = Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":5}]}]""", "\"image_url\" must be a URL string or")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":5}}]}]""", "\"url\" must be a string")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png","detail":[]}}]}]""", "\"detail\" must be a string")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png","detail":"huge"}}]}]""", "\"detail\" 'huge' is not one of")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]""", "needs a \"url\"")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":"not a url"}]}]""", "absolute URL")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;base64,@@@"}]}]""", "data URL is malformed")]
    [InlineData("""[{"role":"user","content":[{"type":"text","text":7}]}]""", "\"text\" must be a string")]
    [InlineData("""[{"role":"user","content":[7]}]""", "part 0 must be")]
    [InlineData("""[{"role":"user","content":"hi","name":3}]""", "\"name\" must be a string")]
    [InlineData("""[{"role":"","content":"hi"}]""", "non-empty string \"role\"")]
    [InlineData("""[{"role":"user","role":"system","content":"hi"}]""", "Duplicate property 'role'")]
    [InlineData("""{"role":"user"}""", "must be a JSON array")]
    public void Messages_of_the_wrong_JSON_kinds_are_refused_naming_the_message_and_field(string messages, string message)
    {
        AssertRefused(CliFixture.Run("count", "--model", "gpt-4o", "--messages-file", _files.File("m.json", messages)), message);
        AssertRefused(CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", _files.File("m.json", messages)), message);
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{"name":5}}]""", "non-empty string \"name\"")]
    [InlineData("""[{"type":"function","function":{"name":"f","description":1}}]""", "\"description\" must be a string")]
    [InlineData("""[{"type":"function","function":{"name":"f","parameters":"none"}}]""", "JSON Schema object")]
    public void Tools_of_the_wrong_JSON_kinds_are_refused(string tools, string message)
    {
        AssertRefused(CliFixture.Run("count", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--tools-file", _files.File("t.json", tools)), message);
    }

    [Fact]
    public void Invalid_UTF8_is_refused_in_messages_and_text_files()
    {
        string messages = Path.Combine(Path.GetDirectoryName(_files.File("x", string.Empty))!, "bad.json");
        File.WriteAllBytes(messages, [.. "[{\"role\":\"user\",\"content\":\""u8.ToArray(), 0xFF, 0xFE, .. "\"}]"u8.ToArray()]);
        AssertRefused(CliFixture.Run("count", "--model", "gpt-4o", "--messages-file", messages), "not valid UTF-8");

        AssertRefused(CliFixture.RunWithInput([0x68, 0x69, 0xC3], "count", "--encoding", "o200k_base", "--text-file", "-"), "standard input: not valid UTF-8 (at byte 2)");
    }

    [Fact]
    public void A_rate_too_large_to_price_is_refused_not_thrown()
    {
        string catalog = _files.File("big.json", """{ "m": { "input_cost_per_token": 1e20, "output_cost_per_token": 1e20, "max_output_tokens": 100 } }""");
        AssertRefused(CliFixture.Run("price", "--catalog", catalog, "--model", "m", "--input", "1000000"), "too large to compute");
        AssertRefused(CliFixture.Run("quote", "--catalog", catalog, "--model", "m", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--max-output", "9000000000000000000"), "too large to compute");
    }

    [Fact]
    public void A_model_without_tokenizer_or_price_is_an_error_not_a_guess()
    {
        AssertRefused(CliFixture.Run("count", "--model", "no-such-model", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages)), "unknown model 'no-such-model'");

        // A model the catalog prices but no tokenizer knows is estimated, and says so.
        (int code, string output, _) = CliFixture.Run("count", "--model", "claude-sonnet-4-5", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"precision\": \"Approximate\"", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("price", "--model", "gpt-4o", "--input", "10", "--service-tier", "bogus")]
    [InlineData("quote", "--model", "gpt-4o", "--messages-file", "M", "--service-tier", "Premium")]
    public void An_unknown_service_tier_is_an_error_not_priced_as_standard(params string[] args)
    {
        string[] resolved = [.. args.Select(a => a == "M" ? _files.File("m.json", CountCommandTests.WeatherMessages) : a)];
        AssertRefused(CliFixture.Run(resolved), "is not one of standard, flex, priority, batch");
    }

    [Theory]
    [InlineData("--cached", "9223372036854775807", "--cache-write", "9223372036854775807")]
    [InlineData("--cache-write", "9223372036854775807", "--cache-write-1h", "9223372036854775807")]
    [InlineData("--cached", "9223372036854775807", "--cache-write-1h", "2")]
    public void Cache_counts_near_the_largest_long_do_not_wrap_past_the_check(params string[] counts)
    {
        AssertRefused(CliFixture.Run(["price", "--model", "gpt-4o", "--input", "10", .. counts]), "--input (10) counts all input");
    }

    [Fact]
    public void A_catalog_with_a_model_listed_twice_is_refused()
    {
        string catalog = _files.File("dup.json", """{ "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06 }, "m": { "input_cost_per_token": 2e-06, "output_cost_per_token": 1e-06 } }""");
        AssertRefused(CliFixture.Run("price", "--catalog", catalog, "--model", "m", "--input", "1"), "Duplicate property 'm'");
    }

    [Fact]
    public async Task Token_totals_that_overflow_in_a_report_are_refused()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            for (int i = 0; i < 2; i++)
            {
                ledger.Record(new CostRecord { Timestamp = LedgerFixture.Start, ModelId = "gpt-4o", Attribution = new CostAttribution { Team = "search" }, InputTokens = long.MaxValue - 1, OutputTokens = 1, Cost = 1m, Outcome = CallOutcome.Succeeded });
            }
        }

        AssertRefused(CliFixture.Run("report", "--ledger", dir, "--by", "team"), "overflow");
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("price", "--model", "gpt-4o")]
    [InlineData("price", "--model", "gpt-4o", "--input", "99999999999999999999")]
    [InlineData("count", "--bogus-option")]
    [InlineData("price", "--model", "gpt-4o", "--input", "1000", "--input", "--")]
    [InlineData("price", "--model", "gpt-4o", "--input", "1000", "--output", "1", "--output", "2")]
    [InlineData("report", "--json", "--json", "--ledger", "/no/such/ledger")]
    [InlineData("report")]
    [InlineData("report", "--ledger", "/no/such/ledger")]
    [InlineData("report", "--ledger", "/no/such/ledger", "--since", "yesterday")]
    [InlineData("export", "focus", "--ledger", "/no/such/ledger", "--out", "-")]
    [InlineData("quote", "--model", "gpt-4o", "--messages-file", "-")]
    public void Command_lines_that_do_not_make_sense_get_one_line_without_usage(params string[] args)
    {
        (int code, string output, string error) = CliFixture.Run(args);
        Assert.True(code is 1 or 2, error);
        Assert.Equal(string.Empty, output);
        string line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
