using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Ledger;

public sealed class JsonLinesCostLedgerTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 7, 24, 23, 59, 0, TimeSpan.Zero);

    private static CostRecord Call(decimal cost, DateTimeOffset? at = null, string team = "search") => new()
    {
        Timestamp = at ?? Day1,
        Duration = TimeSpan.FromMilliseconds(12.5),
        Attribution = new CostAttribution { Team = team, Feature = "summarize", Tags = new Dictionary<string, string> { ["ticket"] = "T-1" } },
        ScopeName = "run",
        ScopeId = "abc",
        ModelId = "gpt-4o-mini",
        Provider = "openai",
        InputTokens = 1200,
        CachedInputTokens = 200,
        OutputTokens = 300,
        ReasoningTokens = 10,
        EstimatedInputTokens = 1190,
        EstimatePrecision = EstimatePrecision.Approximate,
        Cost = cost,
        CostSource = CostSource.ProviderReported,
        Decision = BudgetDecision.Clamped,
        LimitKind = BudgetLimitKind.Cost,
        LimitBudget = "request",
        MaximumOutputTokens = 400,
        Outcome = CallOutcome.Succeeded,
    };

    private static string TempDir() => Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName;

    [Fact]
    public async Task Records_and_outcomes_round_trip_through_the_file_with_full_decimal_precision()
    {
        string dir = TempDir();
        CostRecord call = Call(0.0000001234567891234567m);
        var outcome = new OutcomeRecord { Timestamp = Day1, Attribution = new CostAttribution { Team = "search" }, ScopeId = "abc", ScopeName = "run", Name = "ticket-resolved", IsSuccess = true, Value = 12.5m };
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(call);
            ledger.Record(outcome);
        }

        string file = Assert.Single(Directory.GetFiles(dir));
        Assert.EndsWith("aicostguard-ledger-20260724-000.jsonl", file, StringComparison.Ordinal);
        Assert.StartsWith("{\"schema\":1,\"kind\":\"call\"", File.ReadAllLines(file)[0], StringComparison.Ordinal);
        LedgerContents read = CostLedgerReader.Read(dir);
        Assert.Empty(read.SkippedLines);
        Assert.Equal(call, Assert.Single(read.Calls));
        Assert.Equal(outcome, Assert.Single(read.Outcomes));
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_is_skipped_and_reported_and_whole_lines_are_kept()
    {
        string dir = TempDir();
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            for (int i = 0; i < 3; i++) ledger.Record(Call(0.01m * (i + 1)));
        }

        string file = Directory.GetFiles(dir)[0];
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 40)]);

        LedgerContents read = CostLedgerReader.Read(file);
        Assert.Equal([0.01m, 0.02m], read.Calls.Select(c => c.Cost));
        Assert.Contains(":3: the last line has no line end", Assert.Single(read.SkippedLines), StringComparison.Ordinal);

        // After a restart the ledger appends to the same file; the torn line stays alone and later lines read whole.
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            ledger.Record(Call(0.04m));
        }

        read = CostLedgerReader.Read(dir);
        Assert.Equal([0.01m, 0.02m, 0.04m], read.Calls.Select(c => c.Cost));
        Assert.Single(read.SkippedLines);
    }

    [Fact]
    public async Task Files_rotate_by_size_and_by_UTC_day_and_never_split_a_line()
    {
        string dir = TempDir();
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir, MaximumFileBytes = 2048 }))
        {
            for (int i = 0; i < 10; i++) ledger.Record(Call(i, Day1));
            await ledger.FlushAsync();
            for (int i = 10; i < 13; i++) ledger.Record(Call(i, Day1.AddMinutes(2)));
        }

        string[] files = [.. Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.True(files.Count(f => f.Contains("-20260724-", StringComparison.Ordinal)) >= 3, string.Join(", ", files));
        Assert.Contains("aicostguard-ledger-20260725-000.jsonl", files);
        Assert.All(Directory.GetFiles(dir), f => Assert.True(new FileInfo(f).Length <= 2048));
        LedgerContents read = CostLedgerReader.Read(dir);
        Assert.Empty(read.SkippedLines);
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (decimal)i), read.Calls.Select(c => c.Cost));
    }

    [Fact]
    public async Task A_write_failure_is_logged_and_counted_the_call_goes_on_and_the_records_are_written_once_the_disk_recovers()
    {
        string root = TempDir();
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "a file where the ledger directory should be");
        var logger = new ListLogger<JsonLinesCostLedger>();

        await using var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked }, logger);
        var memory = new InMemoryCostLedger();
        var governed = new Governed(o => o.Ledger = new CompositeCostLedger(memory, file));
        await governed.Client.GetResponseAsync(Governed.Prompt());
        await file.FlushAsync();

        Assert.True(file.IsFailing);
        Assert.Single(memory.GetRecords());
        Assert.True(file.WriteFailures >= 1);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(blocked, StringComparison.Ordinal) && e.Exception is IOException);

        File.Delete(blocked);
        await governed.Client.GetResponseAsync(Governed.Prompt());
        await file.FlushAsync();

        Assert.False(file.IsFailing);
        Assert.Equal(2, CostLedgerReader.Read(blocked).Calls.Count);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fail_closed_refuses_calls_before_sending_them_while_the_file_cannot_be_written()
    {
        string root = TempDir();
        string blocked = Path.Combine(root, "ledger");
        File.WriteAllText(blocked, "not a directory");
        await using var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked, FailClosed = true });
        var governed = new Governed(o => o.Ledger = new CompositeCostLedger(new InMemoryCostLedger(), file));
        await governed.Client.GetResponseAsync(Governed.Prompt());
        await file.FlushAsync();

        CostLedgerUnavailableException e = await Assert.ThrowsAsync<CostLedgerUnavailableException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
        Assert.Contains("fail-closed", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, governed.Inner.Calls);
    }

    [Fact]
    public void Invalid_options_list_every_problem()
    {
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = null, MaximumFileBytes = 1, FilePrefix = "a/b", RetryDelay = TimeSpan.FromSeconds(10), MaximumRetryDelay = TimeSpan.FromSeconds(1) }));
        Assert.Equal(4, e.Failures.Count());
        Assert.Contains(e.Failures, f => f.StartsWith("MaximumRetryDelay: 00:00:01 is shorter than RetryDelay (00:00:10)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddJsonLinesLedger_keeps_records_in_memory_and_in_the_file()
    {
        string dir = TempDir();
        var services = new ServiceCollection();
        services.AddCostGovernance(o => o.RequiredAttribution = AttributionDimensions.None).AddJsonLinesLedger(o => o.Directory = dir);
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredService<IChatClient>().GetResponseAsync(Governed.Prompt());
            Assert.IsType<CompositeCostLedger>(provider.GetRequiredService<ICostLedger>());
            Assert.Single(provider.GetRequiredService<InMemoryCostLedger>().GetRecords());
        }

        Assert.Single(CostLedgerReader.Read(dir).Calls);
    }

    [Fact]
    public async Task AddJsonLinesLedger_binds_its_options_from_configuration()
    {
        string dir = TempDir();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiCostGuard:Ledger:Directory"] = dir,
            ["AiCostGuard:Ledger:FilePrefix"] = "bound",
        }).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance().AddJsonLinesLedger(configuration.GetSection("AiCostGuard:Ledger"));
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredService<IChatClient>().GetResponseAsync(Governed.Prompt());
        }

        Assert.StartsWith("bound", Path.GetFileName(Assert.Single(Directory.GetFiles(dir))), StringComparison.Ordinal);
        Assert.Single(CostLedgerReader.Read(dir).Calls);
    }

    [Fact]
    public void AddJsonLinesLedger_lists_a_typo_in_configuration_with_the_other_problems()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ledger:Directry"] = "/var/lib/ledger",
            ["Ledger:QueueCapacity"] = "lots",
        }).Build();
        var services = new ServiceCollection();
        services.AddJsonLinesLedger(configuration.GetSection("Ledger"));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ICostLedger>());

        Assert.Contains("Ledger:Directry: 'Directry' is not a setting of JsonLinesLedgerOptions; did you mean 'Directory'?", e.Failures);
        Assert.Contains(e.Failures, f => f.StartsWith("Ledger:QueueCapacity: 'lots' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Directory", StringComparison.Ordinal));
    }
}
