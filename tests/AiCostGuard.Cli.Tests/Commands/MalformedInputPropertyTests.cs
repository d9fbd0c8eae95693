using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Cli.Tests.Commands;

/// <summary>
/// Generated malformed input across the commands: a bad file given on standard input, a bad number, a bad name. Each is
/// refused with one line <c>error: ...</c>, a non-zero exit code and nothing on standard output: never a stack trace,
/// never an internal error, never exit code 0.
/// </summary>
public sealed class MalformedInputPropertyTests
{
    /// <summary>One case: the arguments and the bytes on standard input.</summary>
    public sealed record Invocation(string[] Args, byte[] Input)
    {
        public override string ToString() => string.Join(' ', Args) + " <<< " + Encoding.UTF8.GetString(Input);
    }

    // Values of every JSON kind; each list below leaves out the kinds that are valid where it is used.
    private static readonly Gen<string> Number = Gen.Elements("0", "-1", "3.5", "1e20", "9223372036854775808", "-0");
    private static readonly Gen<string> Bool = Gen.Elements("true", "false");
    private static readonly Gen<string> Containers = Gen.Elements("[]", "{}", "[1]", "{\"url\":1}", "[\"a\"]", "{\"type\":\"text\"}");
    private static readonly Gen<string> NotString = Gen.OneOf(Number, Bool, Containers);
    private static readonly Gen<string> NotStringOrNull = Gen.OneOf(Number, Bool, Containers);
    private static readonly Gen<string> Text = Gen.Elements("\"hi\"", "\"\"", "\"=1+1\"", "\"\\u001b[31m\"", "\"\\u202e\"");

    private static readonly Gen<string> BadPart = Gen.OneOf(
        NotString.Select(v => "{\"type\":\"text\",\"text\":" + v + "}"),
        Gen.OneOf(Number, Bool, Gen.Elements("[]", "[1]")).Select(v => "{\"type\":\"image_url\",\"image_url\":" + v + "}"),
        NotString.Select(v => "{\"type\":\"image_url\",\"image_url\":{\"url\":" + v + "}}"),
        NotString.Select(v => "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/a.png\",\"detail\":" + v + "}}"),
        Gen.Elements("{\"type\":\"image_url\",\"image_url\":{}}", "{\"type\":\"image_url\",\"image_url\":\"relative/a.png\"}", "{\"type\":\"image_url\",\"image_url\":\"data:image/png;base64,%%%\"}", "{}", "{\"type\":\"audio\"}"),
        Gen.OneOf(Number, Bool, Gen.Constant("null"), Gen.Constant("[]"), Text));

    private static readonly Gen<string> BadMessage = Gen.OneOf(
        Gen.OneOf(NotString, Gen.Elements("null", "\"\"")).Select(v => "{\"role\":" + v + ",\"content\":\"hi\"}"),
        Gen.OneOf(Number, Bool, Gen.Elements("{}", "{\"text\":\"hi\"}")).Select(v => "{\"role\":\"user\",\"content\":" + v + "}"),
        BadPart.Select(p => "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}," + p + "]}"),
        NotStringOrNull.Select(v => "{\"role\":\"user\",\"content\":\"hi\",\"name\":" + v + "}"),
        Gen.Elements("{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}", "{\"content\":\"hi\"}", "[]", "\"user\"", "7", "null"));

    private static readonly Gen<string> ValidMessage = Gen.Elements("{\"role\":\"user\",\"content\":\"hi\"}", "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"be brief\"}]}");

    /// <summary>A messages file with at least one bad message among good ones, or a file that is not a JSON array at all.</summary>
    private static readonly Gen<byte[]> BadMessages = Gen.OneOf(
        from before in Between(ValidMessage, 0, 2)
        from bad in BadMessage
        from after in Between(ValidMessage, 0, 2)
        select Utf8("[" + string.Join(',', [.. before, bad, .. after]) + "]"),
        from good in Between(ValidMessage, 1, 3)
        let json = "[" + string.Join(',', good) + "]"
        from cut in Gen.Choose(0, json.Length - 1)
        select Utf8(json[..cut]),
        from good in ValidMessage
        from invalid in Gen.Elements<byte[]>([0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF])
        select (byte[])[.. Utf8("[{\"role\":\"user\",\"content\":\"a"), .. invalid, .. Utf8("\"}]")],
        Gen.Elements("{\"role\":\"user\",\"content\":\"hi\"}", "\"hi\"", "42", "", "   ", "[{\"role\":\"user\",\"content\":\"hi\"},]").Select(Utf8));

    private static readonly Gen<byte[]> BadTools = Gen.OneOf(
        NotString.Select(v => "[{\"type\":\"function\",\"function\":{\"name\":" + v + "}}]"),
        NotString.Select(v => "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":" + v + "}}]"),
        Gen.OneOf(Number, Bool, Text, Gen.Constant("[]")).Select(v => "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":" + v + "}}]"),
        Gen.Elements("{}", "[7]", "[{\"type\":\"function\"}]", "[{\"type\":\"function\",\"function\":{\"name\":\"\"}}]")).Select(Utf8);

    private static readonly Gen<byte[]> BadCatalog = Gen.OneOf(
        Gen.OneOf(Gen.Elements("\"cheap\"", "-1e-06", "1e400", "1e30", "true", "[]", "{}")).Select(v => "{\"m\":{\"input_cost_per_token\":" + v + ",\"output_cost_per_token\":1e-06}}"),
        Gen.Elements("{\"m\":{\"input_cost_per_token\":1e-06,\"output_cost_per_token\":1e-06},\"m\":{\"input_cost_per_token\":2e-06,\"output_cost_per_token\":1e-06}}", "[1,2]", "{\"m\":3}", "{\"m\":{", "{\"m\":{\"input_cost_per_token\":1e-06,\"output_cost_per_token\":1e-06,\"max_input_tokens\":\"lots\"}}")).Select(Utf8);

    private static readonly Gen<byte[]> BadLedger = Gen.OneOf(
        Between(Gen.Elements("not json", "{}", "[1,2]", "{\"schema\":1,\"kind\":\"call\"", "{\"schema\":99,\"kind\":\"call\"}", "\u0000\u0001"), 1, 4).Select(lines => Utf8(string.Join('\n', lines) + "\n")),
        Gen.Constant(Utf8(string.Empty)));

    private static readonly Gen<string> BadCount = Gen.Elements("-1", "abc", "1.5", "9223372036854775808", "0x10", "1e3", "", "--", "-9223372036854775808");
    private static readonly Gen<string> BadName = Gen.Elements("no-such-model", "gpt-4o ", "", "=HYPERLINK(\"x\")", "\u001b[31m", "@file", "-");

    private const string Messages = """[{"role":"user","content":"hi"}]""";

    private static readonly Gen<Invocation> BadCases = Gen.OneOf(
        BadMessages.Select(b => new Invocation(["count", "--model", "gpt-4o", "--messages-file", "-"], b)),
        BadMessages.Select(b => new Invocation(["quote", "--model", "gpt-4o", "--messages-file", "-"], b)),
        BadTools.Select(b => new Invocation(["quote", "--model", "gpt-4o", "--messages-file", "MESSAGES", "--tools-file", "-", "--max-output", "10"], b)),
        BadCatalog.Select(b => new Invocation(["price", "--catalog", "-", "--model", "m", "--input", "1000"], b)),
        BadCatalog.Select(b => new Invocation(["quote", "--catalog", "-", "--model", "m", "--messages-file", "MESSAGES", "--max-output", "10"], b)),
        BadLedger.Select(b => new Invocation(["report", "--ledger", "-"], b)),
        BadLedger.Select(b => new Invocation(["export", "focus", "--ledger", "-", "--out", "-"], b)),
        from option in Gen.Elements("--input", "--output", "--cached", "--cache-write", "--cache-write-1h", "--reasoning")
        from value in BadCount
        select new Invocation(["price", "--model", "gpt-4o", "--input", "1000", "--output", "10", option, value], []),
        from value in BadName
        from command in Gen.Elements("price", "count")
        select new Invocation(command == "price" ? ["price", "--model", value, "--input", "10"] : ["count", "--model", value, "--messages-file", "MESSAGES"], []),
        from value in Gen.Elements("bogus", "Standard ", "", "flexible", "1")
        select new Invocation(["price", "--model", "gpt-5", "--input", "10", "--service-tier", value], []),
        from value in Gen.Elements("0", "-5", "abc", "9223372036854775808")
        select new Invocation(["quote", "--model", "gpt-4o", "--messages-file", "MESSAGES", "--max-output", value], []),
        from option in Gen.Elements("--since", "--until")
        from value in Gen.Elements("yesterday", "2026-13-01", "07/21/2026", "", "2026-07-21T25:00")
        select new Invocation(["report", "--ledger", "LEDGER", option, value], []),
        from value in Gen.Elements("colour", "team,,x", "cost center", "models")
        select new Invocation(["report", "--ledger", "LEDGER", "--by", value], []));

    [Property(MaxTest = 400)]
    public Property Malformed_input_is_refused_in_one_line_with_a_non_zero_exit_code_never_a_stack_trace()
    {
        using var files = new CliFixture();
        string messages = files.File("m.json", Messages);
        string ledger = files.File("ledger.jsonl", LedgerLine);
        return Prop.ForAll(BadCases.ToArbitrary(), c =>
        {
            string[] args = [.. c.Args.Select(a => a switch { "MESSAGES" => messages, "LEDGER" => ledger, _ => a })];
            (int code, string output, string error) = CliFixture.RunWithInput(c.Input, args);
            string[] lines = error.TrimEnd().Split('\n');
            bool refused = code is 1 or 2 && output.Length == 0 && lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal) && !IsDefect(error);
            return Prop.Label(refused, $"exit code {code}, output '{output}', error '{error}'");
        });
    }

    /// <summary>Arbitrary command lines built from the tool's own words and hostile values: whatever they mean, no stack trace and no internal error.</summary>
    [Property(MaxTest = 400)]
    public Property Any_command_line_ends_in_a_result_or_one_error_line()
    {
        Gen<string> word = Gen.Elements(
            "count", "price", "quote", "report", "export", "focus", "--model", "gpt-4o", "claude-sonnet-4-5", "--input", "--output", "--cached",
            "--cache-write", "--reasoning", "--messages-file", "--tools-file", "--text-file", "--encoding", "o200k_base", "--catalog", "--ledger",
            "--by", "team,model", "--format", "csv", "--json", "--out", "--since", "--until", "2026-07-20", "--service-tier", "flex", "--max-output",
            "-", "0", "-1", "1000", "9223372036854775807", "9223372036854775808", "1e20", "=1+1", "\u001b]0;x\u0007", "\u202e", "", " ", "--", "@x");
        Gen<byte[]> input = Gen.OneOf(Gen.Constant(Utf8(Messages)), BadMessages, BadCatalog, BadLedger);
        Gen<Invocation> cases = from words in Between(word, 0, 10) from bytes in input select new Invocation([.. words], bytes);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            (int code, _, string error) = CliFixture.RunWithInput(c.Input, c.Args);
            string[] lines = error.Length == 0 ? [] : error.TrimEnd().Split('\n');
            bool oneErrorLine = lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal);
            bool answered = code is 0 or 1 or 2 && (code == 0 || oneErrorLine) && !IsDefect(error);
            return Prop.Label(answered, $"exit code {code}, error '{error}'");
        });
    }

    /// <summary>A one-call ledger line, for the cases whose bad part is an option of <c>report</c>.</summary>
    private const string LedgerLine = """{"schema":1,"kind":"call","ts":"2026-07-20T09:00:00+00:00","durationMs":800,"model":"gpt-4o","streaming":false,"inputTokens":10,"cachedInputTokens":0,"outputTokens":1,"reasoningTokens":0,"estimatedInputTokens":10,"estimatePrecision":"Exact","cost":0.001,"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":100,"outcome":"Succeeded"}""" + "\n";

    [Fact]
    public void The_ledger_and_messages_the_cases_start_from_are_valid()
    {
        using var files = new CliFixture();
        Assert.Equal(0, CliFixture.Run("report", "--ledger", files.File("ledger.jsonl", LedgerLine)).ExitCode);
        Assert.Equal(0, CliFixture.Run("quote", "--model", "gpt-4o", "--messages-file", files.File("m.json", Messages), "--max-output", "10").ExitCode);
    }

    private static bool IsDefect(string error) => error.Contains("internal error", StringComparison.Ordinal) || error.Contains("   at ", StringComparison.Ordinal);

    private static Gen<List<T>> Between<T>(Gen<T> gen, int min, int max) => Gen.Choose(min, max).SelectMany(n => gen.ListOf(n)).Select(l => l.ToList());

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
