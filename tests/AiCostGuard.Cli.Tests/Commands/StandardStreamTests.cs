using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class StandardStreamTests : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Messages_tools_text_and_catalog_files_are_read_from_standard_input_given_as_a_dash()
    {
        Assert.Equal("33", CliFixture.LastLine(CliFixture.RunWithInput(CountCommandTests.WeatherMessages, "count", "--model", "gpt-4o", "--messages-file", "-").Output));
        Assert.Equal("101", CliFixture.LastLine(CliFixture.RunWithInput(CountCommandTests.WeatherTools, "count", "--model", "gpt-4o", "--messages-file", _files.File("m.json", CountCommandTests.WeatherMessages), "--tools-file", "-").Output));
        Assert.Equal("9", CliFixture.LastLine(CliFixture.RunWithInput("hello <|endoftext|> world", "count", "--encoding", "o200k_base", "--text-file", "-").Output));

        const string Catalog = """{ "house-model": { "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06 } }""";
        (int code, string output, _) = CliFixture.RunWithInput(Catalog, "price", "--catalog", "-", "--model", "house-model", "--input", "1000000", "--output", "1000000");
        Assert.Equal(0, code);
        Assert.Equal("10", CliFixture.LastLine(output));
    }

    [Fact]
    public void Two_options_cannot_both_read_standard_input()
    {
        (int code, string output, string error) = CliFixture.RunWithInput(CountCommandTests.WeatherMessages, "count", "--model", "gpt-4o", "--messages-file", "-", "--tools-file", "-");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal("error: --tools-file and --messages-file both read standard input (-); give at most one of them as -.", error.TrimEnd());
    }

    [Fact]
    public async Task A_ledger_is_read_from_standard_input_and_reports_and_exports_go_to_standard_output_with_out_dash()
    {
        string ledger = await LedgerFixture.WriteAsync();
        byte[] lines = [.. Directory.GetFiles(ledger, "*.jsonl").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes)];

        (int code, string output, string error) = CliFixture.RunWithInput(lines, "report", "--ledger", "-", "--by", "team", "--format", "csv", "--out", "-");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("team,calls,runs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrote", output, StringComparison.Ordinal);
        Assert.False(File.Exists("-"));

        (code, output, _) = CliFixture.RunWithInput(lines, "export", "focus", "--ledger", "-", "--out", "-");
        Assert.Equal(0, code);
        Assert.StartsWith("BilledCost,BillingAccountId", output, StringComparison.Ordinal);
        Assert.Equal(26, output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Skipped_lines_of_a_ledger_on_standard_input_name_standard_input()
    {
        string ledger = await LedgerFixture.WriteAsync();
        byte[] lines = [.. Directory.GetFiles(ledger, "*.jsonl").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes), .. "not json\n"u8.ToArray()];
        int count = lines.Count(b => b == (byte)'\n');

        (int code, _, string error) = CliFixture.RunWithInput(lines, "report", "--ledger", "-");
        Assert.Equal(0, code);
        Assert.StartsWith($"warning: skipped standard input:{count}: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void The_installed_tool_counts_a_request_piped_to_it()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "AiCostGuard.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { tool, "count", "--model", "gpt-4o", "--messages-file", "-" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Write("""[{"role":"user","content":"hi"}]""");
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);

        // 3 for the message, 1 for "user", 1 for "hi", 3 for reply priming.
        Assert.Equal(8, int.Parse(CliFixture.LastLine(output), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_tool_rolls_forward_to_a_newer_major_runtime()
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AiCostGuard.Cli.runtimeconfig.json")));
        Assert.Equal("Major", config.RootElement.GetProperty("runtimeOptions").GetProperty("rollForward").GetString());
    }

    public void Dispose() => _files.Dispose();
}
