using System.Text;

namespace AiCostGuard.Tests.Ledger;

public sealed class CallKindLedgerTests
{
    [Fact]
    public async Task Kind_and_avoided_cost_round_trip_through_the_json_lines_ledger_and_an_older_line_reads_as_a_chat_call()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-kind-").FullName;
        try
        {
            var embedding = new CostRecord { Timestamp = DateTimeOffset.UnixEpoch, ModelId = "text-embedding-3-small", InputTokens = 12, Cost = 0.00000024m, Kind = CallKind.Embedding };
            var hit = new CostRecord { Timestamp = DateTimeOffset.UnixEpoch, ModelId = "gpt-4o-mini", AvoidedCost = 0.000123456789m };
            await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
            {
                ledger.Record(in embedding);
                ledger.Record(in hit);
            }

            string path = Assert.Single(Directory.GetFiles(dir));
            string text = File.ReadAllText(path, Encoding.UTF8);
            Assert.Contains("\"callKind\":\"Embedding\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"callKind\":\"Chat\"", text, StringComparison.Ordinal);

            // A line written before kinds and avoided costs were kept.
            File.AppendAllText(path, """{"schema":1,"kind":"call","ts":"2026-01-01T00:00:00+00:00","durationMs":1,"streaming":false,"inputTokens":1,"cachedInputTokens":0,"outputTokens":1,"reasoningTokens":0,"estimatedInputTokens":1,"estimatePrecision":"Exact","cost":0.1,"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":1,"outcome":"Succeeded"}""" + "\n");

            CostRecord[] read = [.. CostLedgerReader.Read(path).Calls];
            Assert.Equal((CallKind.Embedding, (decimal?)null), (read[0].Kind, read[0].AvoidedCost));
            Assert.Equal((CallKind.Chat, (decimal?)0.000123456789m), (read[1].Kind, read[1].AvoidedCost));
            Assert.Equal((CallKind.Chat, (decimal?)null), (read[2].Kind, read[2].AvoidedCost));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
