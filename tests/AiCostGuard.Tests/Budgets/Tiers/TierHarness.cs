using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Tiers;

/// <summary>A governed fake model with one daily period budget of <see cref="OutputLimit"/> output tokens, whose calls each produce the output a test asks for.</summary>
internal sealed class TierHarness
{
    public const long OutputLimit = 100;

    public TierHarness(Action<PeriodBudgetOptions> budget, Action<CostGovernanceOptions>? configure = null, string model = "gpt-4o-mini")
    {
        Inner.ModelId = model;

        // No answer text: a call reporting no output is charged none, not an estimate of its text.
        Inner.Text = string.Empty;
        Inner.UsageFor = _ => new UsageDetails { InputTokenCount = 10, OutputTokenCount = NextOutput };
        var daily = new PeriodBudgetOptions { Name = "daily", Period = BudgetPeriod.Daily, Dimensions = AttributionDimensions.Team, EnforceLimits = false, Limits = { MaximumOutputTokens = OutputLimit } };
        budget(daily);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Time)
            .AddSingleton<ILoggerFactory>(new OneLoggerFactory(Logger))
            .BuildServiceProvider();
        Pipeline = new ChatClientBuilder(Inner)
            .UseCostGovernance(options =>
            {
                options.Ledger = Ledger;
                options.BudgetStore = Store;
                options.PeriodBudgets.Add(daily);
                configure?.Invoke(options);
            })
            .Build(services);
        Client = Pipeline.GetService<CostGovernanceChatClient>()!;
        Client.BudgetTierReached += (_, e) =>
        {
            lock (Reached)
            {
                Reached.Add(e);
            }
        };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));

    public FakeChatClient Inner { get; } = new();

    public InMemoryCostLedger Ledger { get; } = new();

    public InMemoryBudgetStore Store { get; } = new();

    public ListLogger<CostGovernanceChatClient> Logger { get; } = new();

    /// <summary>The pipeline <c>UseCostGovernance()</c> built; calls go through it.</summary>
    public IChatClient Pipeline { get; }

    public CostGovernanceChatClient Client { get; }

    public List<BudgetTierEventArgs> Reached { get; } = [];

    /// <summary>The output tokens the next call reports.</summary>
    public long NextOutput { get; set; }

    /// <summary>The records of calls, without tier markers.</summary>
    public IReadOnlyList<CostRecord> Calls => [.. Ledger.GetRecords().Where(r => r.Decision != BudgetDecision.TierReached)];

    public IReadOnlyList<CostRecord> Markers => [.. Ledger.GetRecords().Where(r => r.Decision == BudgetDecision.TierReached)];

    public CostRecord Last => Calls[^1];

    public async Task<ChatResponse> Call(long output, ChatOptions? options = null, string team = "search")
    {
        NextOutput = output;
        using (CostAttribution.Begin(new CostAttribution { Team = team }))
        {
            return await Pipeline.GetResponseAsync(Governed.Prompt(), options ?? new ChatOptions { MaxOutputTokens = 50 });
        }
    }

    public async Task<ChatResponse> Stream(long output, ChatOptions? options = null, string team = "search")
    {
        NextOutput = output;
        Inner.Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = output };
        using (CostAttribution.Begin(new CostAttribution { Team = team }))
        {
            return await Pipeline.GetStreamingResponseAsync(Governed.Prompt(), options ?? new ChatOptions { MaxOutputTokens = 50 }).ToChatResponseAsync();
        }
    }

    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
