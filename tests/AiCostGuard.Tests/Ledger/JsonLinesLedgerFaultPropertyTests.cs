using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Ledger;

/// <summary>
/// Random sequences of records and real faults on a real tmpfs — the disk filled and freed, records of a new day and
/// files rotated by size while failing, timed retries, flushes: whatever the order, every record given is on disk
/// exactly once or counted as dropped, and the files never hold a duplicate or a torn line.
/// </summary>
public sealed class JsonLinesLedgerFaultPropertyTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 24, 12, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 12)]
    public Property Under_any_sequence_of_full_and_freed_disks_every_record_is_written_once_or_counted(int seed)
    {
        using TmpfsMount disk = TmpfsMount.Create(128);
        var random = new Random(seed);
        var time = new FakeTimeProvider(Now);
        string dir = Path.Combine(disk.Path, "ledger");
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir, QueueCapacity = random.Next(5, 60), MaximumFileBytes = random.Next(4, 64) * 1024, TimeProvider = time });
        int given = 0;
        int fillers = 0;
        int day = 0;
        var steps = new StringBuilder();
        for (int step = 0; step < 30; step++)
        {
            switch (random.Next(7))
            {
                case 0 or 1:
                    int count = random.Next(1, 40);
                    steps.Append(CultureInfo.InvariantCulture, $"record {count}; ");
                    for (int i = 0; i < count; i++)
                    {
                        ledger.Record(Record(given++, day));
                    }

                    break;
                case 2:
                    steps.Append("fill; ");
                    Fill(Path.Combine(disk.Path, $"filler-{fillers++}"));
                    break;
                case 3:
                    steps.Append("free; ");
                    foreach (string filler in Directory.GetFiles(disk.Path, "filler-*"))
                    {
                        File.Delete(filler);
                    }

                    break;
                case 4:
                    steps.Append("next day; ");
                    day++;
                    break;
                case 5:
                    steps.Append("retry; ");
                    // The writer may arm its back-off timer just after it reports failing: the clock moves on until
                    // the retry has run, so a timer armed after one move is still reached.
                    long failures = ledger.WriteFailures;
                    Assert.True(
                        SpinWait.SpinUntil(
                            () =>
                            {
                                time.Advance(TimeSpan.FromSeconds(30));
                                return !ledger.IsFailing || ledger.WriteFailures > failures;
                            },
                            TimeSpan.FromSeconds(30)),
                        "no retry after the back-off");
                    break;
                default:
                    steps.Append("flush; ");
                    ledger.FlushAsync().GetAwaiter().GetResult();
                    break;
            }
        }

        foreach (string filler in Directory.GetFiles(disk.Path, "filler-*"))
        {
            File.Delete(filler);
        }

        time.Advance(TimeSpan.FromSeconds(30));
        ledger.FlushAsync().GetAwaiter().GetResult();
        ledger.Dispose();

        LedgerContents read = Directory.Exists(dir) ? CostLedgerReader.Read(dir) : new LedgerContents([], [], []);
        string[] onDisk = [.. read.Calls.Select(c => c.Attribution.Tags["n"])];
        bool holds = onDisk.Length == onDisk.Distinct().Count()
            && read.SkippedLines.Count == 0
            && onDisk.Length == ledger.WrittenRecords
            && given == ledger.WrittenRecords + ledger.DroppedRecords
            && ledger.PendingRecords == 0;
        return holds.Label($"{steps}=> given {given}, on disk {onDisk.Length} ({onDisk.Distinct().Count()} distinct, {read.SkippedLines.Count} skipped lines), written {ledger.WrittenRecords}, dropped {ledger.DroppedRecords}");
    }

    private static CostRecord Record(int n, int day) => new()
    {
        Timestamp = Now.AddDays(day),
        Attribution = new CostAttribution { Team = "search", Tags = new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) } },
        ModelId = "gpt-4o-mini",
        InputTokens = 1200,
        OutputTokens = 300,
        Cost = 0.0003m,
        CostSource = CostSource.ProviderReported,
        Outcome = CallOutcome.Succeeded,
    };

    /// <summary>Takes every free byte of the disk.</summary>
    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        byte[] block = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // The disk is full: that is the point.
        }
    }
}
