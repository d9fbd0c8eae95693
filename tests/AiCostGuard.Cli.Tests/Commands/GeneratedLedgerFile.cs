using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Cli.Tests.Commands;

/// <summary>Writes generated call records (<see cref="GeneratedLedger"/>) to a ledger directory with the real JSON Lines sink.</summary>
internal static class GeneratedLedgerFile
{
    public static async Task<string> WriteAsync(IEnumerable<CostRecord> calls)
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            foreach (CostRecord call in calls)
            {
                ledger.Record(call);
            }
        }

        return dir;
    }

    /// <summary>The newest file of a ledger directory: the sink starts a file per day, four calls each here.</summary>
    public static string LastFile(string dir) => Directory.GetFiles(dir, "*.jsonl").Max(StringComparer.Ordinal)!;
}
