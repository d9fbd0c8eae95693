using AiCostGuard.Redis.Tests.Infrastructure;
using AiCostGuard.Tests.Shared;
using Microsoft.Extensions.AI;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

/// <summary><c>aicostguard reconcile</c> run as a process against a real redis-server and a JSON Lines ledger.</summary>
public sealed class ReconcileCommandTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aicostguard-reconcile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Model : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "gpt-4o-mini", Usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 50 } });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Reconcile_reports_injected_drift_repairs_it_and_then_finds_none()
    {
        string prefix = $"cli{Guid.NewGuid():N}:";
        string ledgerDirectory = Path.Combine(_folder, "ledger");
        var budget = new PeriodBudgetOptions { Name = "monthly", Period = BudgetPeriod.Monthly, Dimensions = AttributionDimensions.Team, Limits = { MaximumCost = 100m } };
        await using (var store = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, KeyPrefix = prefix, UseLeases = false }))
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = ledgerDirectory }))
        {
            using var client = new CostGovernanceChatClient(new Model(), new CostGovernanceOptions { Ledger = ledger, BudgetStore = store, PeriodBudgets = { budget } });
            for (int i = 0; i < 12; i++)
            {
                using (CostAttribution.Begin(new CostAttribution { Team = i % 2 == 0 ? "a" : "b" }))
                {
                    await client.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o-mini" });
                }
            }
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
        {
            string totals = $"{prefix}{{monthly|team=a}}:{month.ToUnixTimeSeconds()}:c";
            long truth = (long)await connection.GetDatabase().HashGetAsync(totals, "c");
            await connection.GetDatabase().HashSetAsync(totals, "c", truth * 3);
        }

        string settings = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(settings, """{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "monthly", "Period": "Monthly", "Dimensions": "Team", "Limits": { "MaximumCost": 100 } } ] } }""");
        string[] args = ["reconcile", "--redis", redis.Endpoint, "--key-prefix", prefix, "--settings", settings, "--ledger", ledgerDirectory, "--from", month.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--to", month.AddMonths(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)];

        var found = await Cli.RunAsync(args);
        var repaired = await Cli.RunAsync([.. args, "--repair"]);
        var after = await Cli.RunAsync(args);

        Assert.Equal((3, string.Empty), (found.Code, found.Error));
        Assert.Contains("monthly|team=a", found.Output, StringComparison.Ordinal);
        Assert.Contains("2 windows compared, 1 drifted, 0 repaired, 1 left", found.Output, StringComparison.Ordinal);
        Assert.Equal(0, repaired.Code);
        Assert.Contains("1 drifted, 1 repaired, 0 left", repaired.Output, StringComparison.Ordinal);
        Assert.Equal(0, after.Code);
        Assert.Contains("2 windows compared, 0 drifted", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_budget_setting_is_a_one_line_error_naming_it()
    {
        string settings = Path.Combine(_folder, "typo.json");
        await File.WriteAllTextAsync(settings, """{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "monthly", "Dimensionz": "Team", "Limits": { "MaximumCost": 100 } } ] } }""");

        var result = await Cli.RunAsync("reconcile", "--redis", redis.Endpoint, "--settings", settings, "--ledger", _folder, "--from", "2026-05-01", "--to", "2026-06-01");

        Assert.Equal(1, result.Code);
        Assert.Contains("Dimensionz", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
