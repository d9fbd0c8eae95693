using System.Net.Mime;
using System.Text;
using System.Text.Json;
using AiCostGuard.Tests.Shared;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class CloudEventsExportCommandTests
{
    private static CloudEvent[] Parse(string lines)
    {
        var formatter = new JsonEventFormatter();
        return [.. lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(line), new ContentType("application/cloudevents+json"), extensionAttributes: null))];
    }

    [Fact]
    public async Task Every_call_is_an_event_the_CloudEvents_SDK_reads_with_ids_stable_across_runs()
    {
        string ledger = await GeneratedLedgerFile.WriteAsync(GeneratedLedger.Calls(seed: 1, days: 3));

        (int code, string first, string error) = LedgerFixture.Run("export", "cloudevents", "--ledger", ledger, "--markup", "acme=1.2");
        (_, string second, _) = LedgerFixture.Run("export", "cloudevents", "--ledger", ledger, "--out", "-", "--markup", "acme=1.2");

        Assert.Equal((0, string.Empty), (code, error));
        CloudEvent[] events = Parse(first);
        Assert.Equal(12, events.Length);
        Assert.Equal(events.Select(e => e.Id), Parse(second).Select(e => e.Id));
        Assert.Equal(12, events.Select(e => e.Id).Distinct().Count());
        CloudEvent e = events[0];
        Assert.Equal((CloudEventsSpecVersion.V1_0, "acme", "com.aicostguard.model.call", "aicostguard"), (e.SpecVersion, e.Subject, e.Type, e.Source!.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), e.Time!.Value.Date);
        var data = (JsonElement)e.Data!;
        decimal cost = data.GetProperty("cost").GetDecimal();
        Assert.Equal(cost * 1.2m, data.GetProperty("billed").GetDecimal());
        Assert.Equal(1500, data.GetProperty("tokens").GetProperty("total").GetInt64());
        Assert.Equal("search", data.GetProperty("attribution").GetProperty("team").GetString());
    }

    [Fact]
    public async Task A_file_gets_the_events_and_the_terminal_a_count_with_the_chosen_subject()
    {
        string ledger = await LedgerFixture.WriteAsync();
        using var files = new CliFixture();
        string path = files.File("events.jsonl", string.Empty);

        (int code, string output, _) = LedgerFixture.Run("export", "cloudevents", "--ledger", ledger, "--out", path, "--subject", "team", "--source", "//billing/demo");

        Assert.Equal(0, code);
        Assert.Equal($"Wrote 25 CloudEvents to {path}", output.Trim());
        CloudEvent[] events = Parse(File.ReadAllText(path));
        Assert.Equal(["finance", "search", "support"], events.Select(e => e.Subject).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal("//billing/demo", e.Source!.ToString()));
    }

    [Theory]
    [InlineData("--subject", "colour", "--subject 'colour' is not one of")]
    [InlineData("--markup", "acme", "--markup 'acme' is not subject=factor")]
    [InlineData("--markup", "acme=1,2", "--markup '2' is not subject=factor")]
    [InlineData("--markup", "acme=-1", "Markup[acme]: -1 is not a positive factor.")]
    public async Task Bad_input_exits_non_zero_with_a_one_line_error(string option, string value, string message)
    {
        string ledger = await LedgerFixture.WriteAsync();

        (int code, _, string error) = LedgerFixture.Run("export", "cloudevents", "--ledger", ledger, option, value);

        Assert.Equal(1, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
