using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class CountCommandTests : IDisposable
{
    internal const string WeatherMessages = """
        [{"role":"system","content":"You are a helpful assistant that can answer to questions about the weather."},
         {"role":"user","content":"What's the weather like in San Francisco?"}]
        """;

    internal const string WeatherTools = """
        [{"type":"function","function":{"name":"get_current_weather","description":"Get the current weather in a given location",
          "parameters":{"type":"object","properties":{
            "location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
            "unit":{"type":"string","description":"The unit of temperature to return","enum":["celsius","fahrenheit"]}},
          "required":["location"]}}}]
        """;

    private readonly CliFixture _files = new();

    [Fact]
    public void Counts_a_text_file_in_an_encoding_with_special_token_text_counted_literally()
    {
        string file = _files.File("text.txt", "hello <|endoftext|> world");
        (int code, string output, _) = CliFixture.Run("count", "--encoding", "o200k_base", "--text-file", file);
        Assert.Equal(0, code);
        Assert.Equal("9", CliFixture.LastLine(output));
    }

    [Theory]
    [InlineData("gpt-4o", "101")]
    [InlineData("gpt-4", "105")]
    public void Counts_the_cookbook_tool_request_at_the_prompt_tokens_the_API_reported(string model, string tokens)
    {
        (int code, string output, _) = CliFixture.Run("count", "--model", model, "--messages-file", _files.File("m.json", WeatherMessages), "--tools-file", _files.File("t.json", WeatherTools));
        Assert.Equal(0, code);
        Assert.Equal(tokens, CliFixture.LastLine(output));
    }

    [Fact]
    public void Json_gives_the_breakdown()
    {
        (int code, string output, _) = CliFixture.Run("count", "--model", "gpt-4o", "--messages-file", _files.File("m.json", WeatherMessages), "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal("o200k_base", json.RootElement.GetProperty("encoding").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal("Exact", json.RootElement.GetProperty("precision").GetString());
    }

    [Theory]
    [InlineData("--encoding", "p50k_base", "--text-file", "TEXT")]
    [InlineData("--encoding", "o200k_base")]
    [InlineData("--model", "gpt-4o", "--messages-file", "BAD")]
    [InlineData("--model", "gpt-4o", "--messages-file", "/no/such/file.json")]
    public void Bad_input_exits_non_zero_with_a_one_line_error(params string[] args)
    {
        string[] resolved = args.Select(a => a switch { "TEXT" => _files.File("x.txt", "x"), "BAD" => _files.File("bad.json", "{ not json"), _ => a }).ToArray();
        (int code, string output, string error) = CliFixture.Run(["count", .. resolved]);
        Assert.NotEqual(0, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    public void Dispose() => _files.Dispose();
}
