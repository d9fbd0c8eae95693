using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Periods;

public sealed class PeriodBudgetTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];
    private static readonly decimal Actual = Mini.GetCost(new TokenUsage(100, 20));
    private static readonly ChatOptions Small = new() { MaxOutputTokens = 100 };

    private static decimal WorstCase => Mini.GetWorstCaseCost(TokenEstimator.EstimateInputTokens(Governed.Prompt(), "gpt-4o-mini").Tokens, 100);

    private sealed class Harness
    {
        public Harness(FakeTimeProvider time, Action<CostGovernanceOptions> configure)
        {
            Time = time;
            var options = new CostGovernanceOptions { Ledger = Ledger, BudgetStore = Store };
            configure(options);
            Client = new CostGovernanceChatClient(Inner, options, time);
        }

        public FakeTimeProvider Time { get; }

        public FakeChatClient Inner { get; } = new();

        public InMemoryCostLedger Ledger { get; } = new();

        public InMemoryBudgetStore Store { get; } = new();

        public CostGovernanceChatClient Client { get; }

        public Task<ChatResponse> Call(string team = "search") => CallAs(new CostAttribution { Team = team });

        public async Task<ChatResponse> CallAs(CostAttribution attribution)
        {
            using (CostAttribution.Begin(attribution))
            {
                return await Client.GetResponseAsync(Governed.Prompt(), Small);
            }
        }
    }

    private static PeriodBudgetOptions Monthly(decimal cost, string zone = "Europe/Paris") =>
        new() { Name = "team-monthly", Period = BudgetPeriod.Monthly, Dimensions = AttributionDimensions.Team, TimeZone = zone, Limits = { MaximumCost = cost } };

    [Fact]
    public async Task A_monthly_budget_refuses_at_its_ceiling_and_resets_exactly_at_local_midnight_of_the_first()
    {
        // 23:59:59 on 31 January in Paris; the budget holds one call's worst case but not two.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 31, 22, 59, 59, TimeSpan.Zero));
        var h = new Harness(time, o => o.PeriodBudgets.Add(Monthly(WorstCase + Actual - 0.0000001m)));

        await h.Call();
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());
        Assert.Equal("team-monthly|team=search", e.BudgetName);
        Assert.Equal((BudgetLimitKind.Cost, Actual, WorstCase), (e.LimitKind, e.Spent, e.Requested));
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.FromHours(1)), e.RetryAt);
        Assert.Equal(1, h.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, "team-monthly|team=search"), (h.Ledger.GetRecords()[^1].Decision, h.Ledger.GetRecords()[^1].Outcome, h.Ledger.GetRecords()[^1].LimitBudget));

        time.Advance(TimeSpan.FromMilliseconds(999));
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());

        time.Advance(TimeSpan.FromMilliseconds(1));
        await h.Call();
        Assert.Equal(2, h.Inner.Calls);
    }

    /// <summary>The output a cost ceiling of <paramref name="left"/> dollars pays beside the prompt, by the published gpt-4o-mini rates.</summary>
    private static long OutputFor(decimal left)
    {
        long input = TokenEstimator.EstimateInputTokens(Governed.Prompt(), "gpt-4o-mini").Tokens;
        return (long)decimal.Floor((left - (input * Mini.InputPerMillion / 1_000_000m)) * 1_000_000m / Mini.OutputPerMillion);
    }

    /// <summary>A ceiling that pays one call's worst case in full, then, after its actual spend, 60 of the next call's 100 output tokens.</summary>
    private static decimal OneFullCallThenSixty => WorstCase + Actual - (40 * Mini.OutputPerMillion / 1_000_000m);

    private static async Task<Harness> AfterOneFullCallAsync(decimal monthlyCeiling, int minimumClampedOutput)
    {
        var h = new Harness(new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero)), o =>
        {
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = minimumClampedOutput;
            o.PeriodBudgets.Add(Monthly(monthlyCeiling));
        });
        await h.Call();
        Assert.Equal(100, h.Inner.ReceivedOptions[^1]!.MaxOutputTokens);
        return h;
    }

    [Fact]
    public async Task With_clamp_a_call_the_period_cannot_pay_in_full_is_sent_with_the_output_it_can_pay()
    {
        decimal limit = OneFullCallThenSixty;
        Harness h = await AfterOneFullCallAsync(limit, minimumClampedOutput: 10);
        FakeTimeProvider time = h.Time;
        long room = OutputFor(limit - Actual);
        Assert.Equal(60, room);

        await h.Call();

        Assert.Equal((int)room, h.Inner.ReceivedOptions[^1]!.MaxOutputTokens);
        Assert.Equal(100, Small.MaxOutputTokens);
        CostRecord record = h.Ledger.GetRecords()[^1];
        Assert.Equal((BudgetDecision.Clamped, BudgetLimitKind.Cost, "team-monthly|team=search", room), (record.Decision, record.LimitKind, record.LimitBudget, record.MaximumOutputTokens));
        BudgetWindow window = new PeriodBudget(Monthly(limit)).Window("team-monthly|team=search", time.GetUtcNow());
        Assert.Equal(2 * Actual, (await h.Store.GetUsageAsync(window)).Committed.Cost);
    }

    [Fact]
    public async Task With_clamp_a_call_the_period_can_pay_less_than_the_minimum_output_of_is_refused()
    {
        decimal limit = OneFullCallThenSixty;
        Harness h = await AfterOneFullCallAsync(limit, minimumClampedOutput: 99);
        FakeTimeProvider time = h.Time;

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());

        Assert.Equal(("team-monthly|team=search", BudgetLimitKind.Cost), (e.BudgetName, e.LimitKind));
        Assert.Equal(1, h.Inner.Calls);
        BudgetWindow window = new PeriodBudget(Monthly(limit)).Window("team-monthly|team=search", time.GetUtcNow());
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(100, 20, Actual), default), await h.Store.GetUsageAsync(window));
    }

    [Property(MaxTest = 100)]
    public Property With_clamp_the_spend_committed_in_a_period_never_exceeds_its_ceiling()
    {
        Gen<(int CeilingMicros, int Minimum, int[] Outputs)> runs =
            from ceiling in Gen.Choose(50, 2_000)
            from minimum in Gen.Choose(1, 200)
            from outputs in Gen.Choose(0, 2_000).ArrayOf()
            select (ceiling, minimum, outputs);
        return Prop.ForAll(runs.ToArbitrary(), run =>
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
            decimal ceiling = run.CeilingMicros / 1_000_000m;
            var h = new Harness(time, o =>
            {
                o.OverBudgetAction = OverBudgetAction.Clamp;
                o.MinimumClampedOutputTokens = run.Minimum;
                o.PeriodBudgets.Add(Monthly(ceiling));
            });
            long input = TokenEstimator.EstimateInputTokens(Governed.Prompt(), "gpt-4o-mini").Tokens;
            int next = 0;

            // The provider answers with the input it was sent and as much output as asked of this call, up to the ceiling it was sent.
            h.Inner.UsageFor = options => new UsageDetails { InputTokenCount = input, OutputTokenCount = Math.Min(run.Outputs[next], options!.MaxOutputTokens!.Value) };
            BudgetWindow window = new PeriodBudget(Monthly(ceiling)).Window("team-monthly|team=search", time.GetUtcNow());
            for (; next < run.Outputs.Length; next++)
            {
                using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
                {
                    try
                    {
                        h.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 2_000 }).GetAwaiter().GetResult();
                    }
                    catch (BudgetExceededException)
                    {
                    }
                }

                BudgetWindowUsage usage = h.Store.GetUsageAsync(window).AsTask().GetAwaiter().GetResult();
                if (usage.Committed.Cost > ceiling || usage.Reserved != default)
                {
                    return false;
                }
            }

            return h.Ledger.GetRecords().All(r => r.Decision == BudgetDecision.Rejected || r.MaximumOutputTokens >= run.Minimum);
        });
    }

    [Fact]
    public async Task A_clamp_pays_what_every_period_budget_allows_and_a_stream_is_cut_there()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o =>
        {
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = 1;
            o.PeriodBudgets.Add(Monthly(1m));
            o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "daily-output", Period = BudgetPeriod.Daily, Limits = { MaximumOutputTokens = 23 } });
        });
        h.Inner.Usage = null;
        h.Inner.StreamWords = 10;

        var updates = new List<ChatResponseUpdate>();
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await foreach (ChatResponseUpdate update in h.Client.GetStreamingResponseAsync(Governed.Prompt(), Small))
            {
                updates.Add(update);
            }
        }

        Assert.Equal(23, h.Inner.ReceivedOptions[^1]!.MaxOutputTokens);
        CostRecord record = h.Ledger.GetRecords()[^1];
        Assert.Equal((BudgetLimitKind.OutputTokens, 23L), (record.LimitKind, record.MaximumOutputTokens));
        Assert.True(record.OutputTokens <= 23, $"{record.OutputTokens} output tokens were charged against a clamp of 23.");
    }

    [Fact]
    public async Task Each_key_has_its_own_budget_and_a_combination_of_dimensions_keys_by_all_of_them()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o => o.PeriodBudgets.Add(new PeriodBudgetOptions
        {
            Name = "daily",
            Period = BudgetPeriod.Daily,
            Dimensions = AttributionDimensions.Team | AttributionDimensions.Feature,
            Limits = { MaximumCost = WorstCase + 0.0000001m },
        }));

        await h.CallAs(new CostAttribution { Team = "search", Feature = "chat" });
        await h.CallAs(new CostAttribution { Team = "search", Feature = "summaries" });
        await h.CallAs(new CostAttribution { Team = "ads", Feature = "chat" });
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.CallAs(new CostAttribution { Team = "search", Feature = "chat" }));
        Assert.Equal("daily|team=search|feature=chat", e.BudgetName);

        BudgetExceededException unattributed = await Record(h.CallAs(CostAttribution.Empty), h.CallAs(CostAttribution.Empty));
        Assert.Equal("daily|team=unattributed|feature=unattributed", unattributed.BudgetName);

        static async Task<BudgetExceededException> Record(Task first, Task second)
        {
            await first;
            return await Assert.ThrowsAsync<BudgetExceededException>(() => second);
        }
    }

    [Fact]
    public async Task The_worst_case_is_reserved_while_the_call_is_in_flight_and_the_actual_committed_after()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o => o.PeriodBudgets.Add(Monthly(1m)));
        BudgetWindow window = new PeriodBudget(Monthly(1m)).Window("team-monthly|team=search", time.GetUtcNow());
        BudgetWindowUsage? inFlight = null;
        h.Inner.OnCall = async (_, ct) => inFlight = await h.Store.GetUsageAsync(window, ct);

        await h.Call();

        Assert.Equal(WorstCase, inFlight!.Value.Reserved.Cost);
        Assert.Equal(0m, inFlight.Value.Committed.Cost);
        BudgetWindowUsage after = await h.Store.GetUsageAsync(window);
        Assert.Equal(new BudgetWindowUsage(new BudgetUsage(100, 20, Actual), default), after);
    }

    [Fact]
    public async Task A_failed_call_and_a_cancelled_stream_are_committed_and_their_reservation_refunded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o => o.PeriodBudgets.Add(Monthly(1m)));
        BudgetWindow window = new PeriodBudget(Monthly(1m)).Window("team-monthly|team=search", time.GetUtcNow());

        h.Inner.Throw = new HttpRequestException("boom");
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Call());
        h.Inner.Throw = null;
        BudgetWindowUsage failed = await h.Store.GetUsageAsync(window);
        Assert.Equal(default, failed.Reserved);
        Assert.Equal(h.Ledger.GetRecords()[^1].Cost, failed.Committed.Cost);

        using var cts = new CancellationTokenSource();
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await foreach (ChatResponseUpdate update in h.Client.GetStreamingResponseAsync(Governed.Prompt(), Small).WithCancellation(cts.Token))
            {
                await cts.CancelAsync();
                break;
            }
        }

        BudgetWindowUsage streamed = await h.Store.GetUsageAsync(window);
        Assert.Equal(default, streamed.Reserved);
        Assert.Equal(h.Ledger.GetRecords().Sum(r => r.Cost), streamed.Committed.Cost);
        Assert.True(streamed.Committed.Cost > failed.Committed.Cost);
    }

    [Fact]
    public async Task A_refusal_releases_what_the_scope_and_the_other_period_budgets_reserved()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o =>
        {
            o.PeriodBudgets.Add(Monthly(1m));
            o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "global-daily", Period = BudgetPeriod.Daily, Limits = { MaximumCost = WorstCase / 2 } });
        });

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());

        Assert.Equal("global-daily|all", e.BudgetName);
        Assert.Equal(default, scope.Reserved);
        Assert.Equal(default, scope.Spent);
        BudgetWindowUsage monthly = await h.Store.GetUsageAsync(new PeriodBudget(Monthly(1m)).Window("team-monthly|team=search", time.GetUtcNow()));
        Assert.Equal(default, monthly);
        Assert.Equal(0, h.Inner.Calls);
    }

    [Fact]
    public async Task Shadow_mode_sends_the_call_records_the_refusal_and_still_commits_the_spend()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o =>
        {
            o.Mode = EnforcementMode.Shadow;
            o.PeriodBudgets.Add(Monthly(WorstCase / 2));
        });

        await h.Call();

        CostRecord record = h.Ledger.GetRecords()[^1];
        Assert.Equal((BudgetDecision.ShadowRejected, BudgetLimitKind.Cost, "team-monthly|team=search"), (record.Decision, record.LimitKind, record.LimitBudget));
        Assert.Equal(1, h.Inner.Calls);
        BudgetWindowUsage usage = await h.Store.GetUsageAsync(new PeriodBudget(Monthly(1m)).Window("team-monthly|team=search", time.GetUtcNow()));
        Assert.Equal(Actual, usage.Committed.Cost);
    }

    [Fact]
    public async Task A_rolling_window_forgets_spend_once_its_bucket_leaves_the_window()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        var h = new Harness(time, o => o.PeriodBudgets.Add(new PeriodBudgetOptions
        {
            Name = "last-24h",
            Period = BudgetPeriod.Rolling,
            RollingWindow = TimeSpan.FromHours(24),
            RollingBuckets = 24,
            Dimensions = AttributionDimensions.Team,
            Limits = { MaximumCost = WorstCase + Actual - 0.0000001m },
        }));

        await h.Call();
        time.Advance(TimeSpan.FromHours(23));
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());

        // The earliest the window can have room: when the newest bucket ends and the oldest one, holding the spend, leaves.
        Assert.Equal(new DateTimeOffset(2026, 5, 11, 12, 0, 0, TimeSpan.Zero), e.RetryAt);
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());
        time.Advance(TimeSpan.FromTicks(1));
        await h.Call();
        Assert.Equal(2, h.Inner.Calls);
    }

    [Fact]
    public void Invalid_period_budgets_and_velocity_rules_are_listed_together()
    {
        var options = new CostGovernanceOptions();
        options.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "a", TimeZone = "Mars/Olympus_Mons", Limits = { MaximumCost = 1m } });
        options.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "a", Period = BudgetPeriod.Rolling, Limits = { MaximumCost = 1m } });
        options.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "no limits", Period = BudgetPeriod.Daily, RollingWindow = TimeSpan.FromHours(1) });
        options.SpendVelocity.Add(new SpendVelocityRule { Name = "v", MaximumCost = -1m, Action = (SpendVelocityAction)9 });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new CostGovernanceChatClient(new FakeChatClient(), options));

        string[] failures = [.. e.Failures];
        Assert.Contains(failures, f => f.Contains("PeriodBudgets[0].TimeZone: 'Mars/Olympus_Mons' is not a time zone", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PeriodBudgets[1].RollingWindow: a rolling budget needs a window", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PeriodBudgets[1].Name: 'a' names two period budgets", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PeriodBudgets[2].Name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PeriodBudgets[2].RollingWindow: only a Rolling budget", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PeriodBudgets[2].Limits: set at least one ceiling", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SpendVelocity[0].MaximumCost", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SpendVelocity[0].Action: '9'", StringComparison.Ordinal));
        Assert.Equal(8, failures.Length);
    }

    [Fact]
    public async Task Period_budgets_and_velocity_rules_bind_from_configuration_and_use_the_registered_store()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiCostGuard:PeriodBudgets:0:Name"] = "team-monthly",
            ["AiCostGuard:PeriodBudgets:0:Period"] = "Monthly",
            ["AiCostGuard:PeriodBudgets:0:Dimensions"] = "Team",
            ["AiCostGuard:PeriodBudgets:0:TimeZone"] = "America/New_York",
            ["AiCostGuard:PeriodBudgets:0:Limits:MaximumCost"] = "0.000001",
            ["AiCostGuard:PeriodBudgets:1:Name"] = "last-hour",
            ["AiCostGuard:PeriodBudgets:1:Period"] = "Rolling",
            ["AiCostGuard:PeriodBudgets:1:RollingWindow"] = "01:00:00",
            ["AiCostGuard:PeriodBudgets:1:Limits:MaximumTotalTokens"] = "100000",
            ["AiCostGuard:SpendVelocity:0:Name"] = "burst",
            ["AiCostGuard:SpendVelocity:0:Window"] = "Second",
            ["AiCostGuard:SpendVelocity:0:MaximumCost"] = "1",
            ["AiCostGuard:SpendVelocity:0:Action"] = "Block",
        }).Build();
        var store = new InMemoryBudgetStore();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        services.AddSingleton<IBudgetStore>(store);
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        using ServiceProvider provider = services.BuildServiceProvider();

        CostGovernanceOptions options = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;
        Assert.Equal((BudgetPeriod.Rolling, TimeSpan.FromHours(1)), (options.PeriodBudgets[1].Period, options.PeriodBudgets[1].RollingWindow));
        Assert.Equal((SpendVelocityWindow.Second, SpendVelocityAction.Block), (options.SpendVelocity[0].Window, options.SpendVelocity[0].Action));

        IChatClient client = provider.GetRequiredService<IChatClient>();
        Assert.Same(store, client.GetService<CostGovernanceChatClient>()!.BudgetStore);
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt()));
            Assert.Equal("team-monthly|team=search", e.BudgetName);
        }
    }

    [Fact]
    public async Task Without_period_budgets_or_velocity_rules_the_client_has_no_budget_store()
    {
        var governed = new Governed();
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Null(governed.Client.GetService<CostGovernanceChatClient>()!.BudgetStore);
    }
}
