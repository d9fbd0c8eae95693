using System.Globalization;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Ledger;

/// <summary>
/// The ledger's durability contract under real faults: a full tmpfs, a read-only mount, a directory that cannot be
/// created, a torn last line. Every record is written once or counted as dropped; none is duplicated or lost silently.
/// </summary>
public sealed class JsonLinesLedgerDurabilityTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 7, 24, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CostRecord Call(int n) => new()
    {
        Timestamp = Now,
        Duration = TimeSpan.FromMilliseconds(40),
        Attribution = new CostAttribution { Team = "search", Feature = "summarize", Tags = new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) } },
        ModelId = "gpt-4o-mini",
        Provider = "openai",
        InputTokens = 1200,
        OutputTokens = 300,
        Cost = 0.0003m,
        CostSource = CostSource.ProviderReported,
        Outcome = CallOutcome.Succeeded,
    };

    private static int[] OnDisk(string dir, out IReadOnlyList<string> skipped)
    {
        LedgerContents read = CostLedgerReader.Read(dir);
        skipped = read.SkippedLines;
        return [.. read.Calls.Select(c => int.Parse(c.Attribution.Tags["n"], CultureInfo.InvariantCulture))];
    }

    private static void Fill(string path, int kibibytes) => File.WriteAllBytes(path, new byte[kibibytes * 1024]);

    private static void WaitFor(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Patience), $"The writer did not get there: {what}.");

    [Fact]
    public async Task On_a_full_disk_a_backlog_larger_than_the_free_space_drains_over_timed_retries_without_a_duplicate_or_a_torn_line()
    {
        using TmpfsMount disk = TmpfsMount.Create(64);
        Fill(Path.Combine(disk.Path, "filler-1"), 16);
        Fill(Path.Combine(disk.Path, "filler-2"), 32);
        string dir = Path.Combine(disk.Path, "ledger");
        var time = new FakeTimeProvider(Now);
        int raised = 0;
        await using var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir, QueueCapacity = 60, TimeProvider = time });
        ledger.RecordsDropped += (_, e) => Interlocked.Add(ref raised, e.Count);

        const int Billed = 200;
        for (int i = 0; i < Billed; i++)
        {
            ledger.Record(Call(i));
        }

        await ledger.FlushAsync();
        long firstWritten = ledger.WrittenRecords;
        Assert.True(ledger.IsFailing);
        Assert.InRange(firstWritten, 1, Billed - 61);
        Assert.Equal(60, ledger.PendingRecords);
        Assert.Equal(Billed, ledger.WrittenRecords + ledger.DroppedRecords + ledger.PendingRecords);
        Assert.Equal(firstWritten, OnDisk(dir, out IReadOnlyList<string> skipped).Distinct().Count());
        Assert.Empty(skipped);

        // Some space returns, less than the backlog needs: the retry writes the lines that fit and keeps the rest.
        File.Delete(Path.Combine(disk.Path, "filler-1"));
        long failures = ledger.WriteFailures;
        time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => ledger.WriteFailures > failures || !ledger.IsFailing, "a retry after the back-off");
        Assert.True(ledger.IsFailing);
        Assert.True(ledger.WrittenRecords > firstWritten);
        Assert.InRange(ledger.PendingRecords, 1, 59);
        int[] partly = OnDisk(dir, out skipped);
        Assert.Equal(partly.Length, partly.Distinct().Count());
        Assert.Equal(ledger.WrittenRecords, partly.Length);
        Assert.Empty(skipped);

        // The rest of the space returns: the next timed retry writes the whole backlog, no FlushAsync needed.
        File.Delete(Path.Combine(disk.Path, "filler-2"));
        time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => !ledger.IsFailing, "recovery");
        int[] all = OnDisk(dir, out skipped);
        output.WriteLine($"full 64 KiB tmpfs, fail-open: billed {Billed}, on disk {all.Length} (first {firstWritten}, then {partly.Length}), counted as dropped {ledger.DroppedRecords}, raised {Volatile.Read(ref raised)}, pending {ledger.PendingRecords}");
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Empty(skipped);
        Assert.Equal(0, ledger.PendingRecords);
        Assert.Equal(Billed, all.Length + ledger.DroppedRecords);
        Assert.Equal(ledger.DroppedRecords, Volatile.Read(ref raised));
    }

    [Fact]
    public async Task Every_call_billed_through_the_middleware_onto_a_full_64_KiB_disk_is_on_disk_once_or_counted_as_dropped()
    {
        using TmpfsMount disk = TmpfsMount.Create(64);
        string dir = Path.Combine(disk.Path, "ledger");
        var logger = new ListLogger<JsonLinesCostLedger>();
        var memory = new InMemoryCostLedger();
        int raised = 0;
        var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }, logger);
        file.RecordsDropped += (_, e) => Interlocked.Add(ref raised, e.Count);
        var governed = new Governed(o => o.Ledger = new CompositeCostLedger(memory, file));

        const int Calls = 2040;
        for (int i = 0; i < Calls; i++)
        {
            await governed.Client.GetResponseAsync(Governed.Prompt(), new CostAttribution { Tags = new Dictionary<string, string> { ["n"] = i.ToString(CultureInfo.InvariantCulture) } });
        }

        await file.DisposeAsync();

        int[] onDisk = OnDisk(dir, out IReadOnlyList<string> skipped);
        output.WriteLine($"middleware onto a full 64 KiB tmpfs, fail-open: billed {memory.GetRecords().Count}, on disk {onDisk.Length}, counted as dropped {file.DroppedRecords}, raised {Volatile.Read(ref raised)}, write failures {file.WriteFailures}");
        Assert.Equal(Calls, memory.GetRecords().Count);
        Assert.Equal(onDisk.Length, onDisk.Distinct().Count());
        Assert.Empty(skipped);
        Assert.Equal(Calls, onDisk.Length + file.DroppedRecords);
        Assert.Equal(file.DroppedRecords, Volatile.Read(ref raised));
        Assert.Single(logger.Entries, e => e.Message.Contains("cannot write", StringComparison.Ordinal));
        Assert.Single(logger.Entries, e => e.Message.Contains($"closed with {file.DroppedRecords} records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_a_read_only_mount_every_record_is_counted_raised_and_logged_once_per_episode()
    {
        using TmpfsMount disk = TmpfsMount.Create(64);
        string dir = Path.Combine(disk.Path, "ledger");
        Directory.CreateDirectory(dir);
        disk.MakeReadOnly();
        var logger = new ListLogger<JsonLinesCostLedger>();
        var drops = new List<CostLedgerDroppedEventArgs>();
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir, QueueCapacity = 50 }, logger);
        ledger.RecordsDropped += (_, e) =>
        {
            lock (drops)
            {
                drops.Add(e);
            }
        };

        const int Billed = 540;
        for (int i = 0; i < Billed; i++)
        {
            ledger.Record(Call(i));
        }

        await ledger.FlushAsync();
        Assert.True(ledger.IsFailing);
        Assert.Equal(50, ledger.PendingRecords);
        await ledger.DisposeAsync();

        output.WriteLine($"read-only mount, fail-open: billed {Billed}, on disk {ledger.WrittenRecords}, counted as dropped {ledger.DroppedRecords} in {drops.Count} events, log lines {logger.Entries.Count}");
        Assert.Equal(0, ledger.WrittenRecords);
        Assert.Equal(Billed, ledger.DroppedRecords);
        Assert.Equal(Billed, drops.Sum(d => d.Count));
        Assert.All(drops, d => Assert.IsType<IOException>(d.Failure, exactMatch: false));
        Assert.Equal(50, Assert.Single(drops, d => d.Reason == CostLedgerDropReason.Shutdown).Count);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("cannot write", StringComparison.Ordinal));
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("is dropping records (RetryBufferFull)", StringComparison.Ordinal));
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("closed with 50 records", StringComparison.Ordinal));
        Assert.Equal(3, logger.Entries.Count);
    }

    [Fact]
    public async Task Fail_closed_reopens_by_itself_after_the_back_off_once_the_directory_can_be_written()
    {
        string root = Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "a file where the ledger directory should be");
        var time = new FakeTimeProvider(Now);
        var memory = new InMemoryCostLedger();
        await using var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked, FailClosed = true, TimeProvider = time });
        var governed = new Governed(o => o.Ledger = new CompositeCostLedger(memory, file));
        await governed.Client.GetResponseAsync(Governed.Prompt());
        WaitFor(() => file.IsFailing, "the first failed write");

        int refused = 0;
        for (int i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<CostLedgerUnavailableException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
            refused++;
        }

        File.Delete(blocked);
        time.Advance(TimeSpan.FromSeconds(30));
        WaitFor(() => !file.IsFailing, "the timed retry");
        await governed.Client.GetResponseAsync(Governed.Prompt());
        await file.DisposeAsync();

        int onDisk = CostLedgerReader.Read(blocked).Calls.Count;
        output.WriteLine($"fail-closed, directory blocked then freed: sent {governed.Inner.Calls}, refused {refused}, recorded {memory.GetRecords().Count}, on disk {onDisk}, dropped {file.DroppedRecords}");
        Assert.Equal(2, governed.Inner.Calls);
        Assert.Equal(memory.GetRecords().Count, onDisk);
        Assert.Equal(0, file.DroppedRecords);
    }

    [Fact]
    public async Task After_a_restart_on_a_torn_last_line_the_first_new_record_starts_a_new_line_and_reads_whole()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            for (int i = 0; i < 3; i++)
            {
                ledger.Record(Call(i));
            }
        }

        string path = Assert.Single(Directory.GetFiles(dir));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 40)]);

        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(Call(3));
            ledger.Record(Call(4));
        }

        Assert.Equal(path, Assert.Single(Directory.GetFiles(dir)));
        Assert.Equal([0, 1, 3, 4], OnDisk(dir, out IReadOnlyList<string> skipped));
        Assert.Contains(":3: ", Assert.Single(skipped), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task What_is_left_at_shutdown_is_counted_raised_and_logged_once(bool waitWhenQueueFull)
    {
        string root = Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "not a directory");
        var logger = new ListLogger<JsonLinesCostLedger>();
        var drops = new List<CostLedgerDroppedEventArgs>();
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked, WaitWhenQueueFull = waitWhenQueueFull }, logger);
        ledger.RecordsDropped += (_, e) => drops.Add(e);
        for (int i = 0; i < 7; i++)
        {
            ledger.Record(Call(i));
        }

        await ledger.DisposeAsync();
        ledger.Record(Call(7));
        ledger.Record(Call(8));

        Assert.Equal(9, ledger.DroppedRecords);
        Assert.Equal([(7, CostLedgerDropReason.Shutdown), (1, CostLedgerDropReason.Shutdown), (1, CostLedgerDropReason.Shutdown)], drops.Select(d => (d.Count, d.Reason)));
        Assert.Single(logger.Entries, e => e.Message.Contains("closed with 7 records", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("is dropping records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_dropping_configured_a_full_queue_drops_on_the_callers_path_counted_and_logged_once_for_the_episode()
    {
        string root = Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "not a directory");
        var logger = new ListLogger<JsonLinesCostLedger>();
        var writerHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        int queueFull = 0;
        int given = 0;
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked, QueueCapacity = 2, WaitWhenQueueFull = false }, logger);
        ledger.RecordsDropped += (_, e) =>
        {
            if (e.Reason == CostLedgerDropReason.QueueFull)
            {
                Interlocked.Add(ref queueFull, e.Count);
            }
            else if (e.Reason == CostLedgerDropReason.RetryBufferFull && writerHeld.TrySetResult())
            {
                // Raised on the writer: holding it here stops it draining the queue, as a stalled disk would.
                release.Wait();
            }
        };

        while (!writerHeld.Task.IsCompleted)
        {
            ledger.Record(Call(given++));
            await Task.WhenAny(ledger.FlushAsync(), writerHeld.Task);
        }

        for (int i = 0; i < 10; i++)
        {
            ledger.Record(Call(given++));
        }

        release.Set();
        await ledger.DisposeAsync();

        Assert.True(Volatile.Read(ref queueFull) >= 8, $"{queueFull} dropped as queue full");
        Assert.Equal(given, ledger.DroppedRecords);
        Assert.Single(logger.Entries, e => e.Message.Contains("is dropping records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_that_throws_does_not_break_recording()
    {
        string root = Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "not a directory");
        var logger = new ListLogger<JsonLinesCostLedger>();
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked }, logger);
        ledger.RecordsDropped += (_, _) => throw new InvalidOperationException("handler fault");
        ledger.Record(Call(0));
        await ledger.DisposeAsync();

        ledger.Record(Call(1));

        Assert.Equal(2, ledger.DroppedRecords);
        Assert.Contains(logger.Entries, e => e.Exception is InvalidOperationException && e.Message.Contains("handler", StringComparison.Ordinal));
    }
}
