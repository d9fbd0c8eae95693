using AiCostGuard.Tests.Fakes;
using AiCostGuard.Tests.Telemetry;
using Microsoft.Extensions.Logging;

namespace AiCostGuard.Tests.Budgets.Tiers;

/// <summary>Budget tiers act on the spend a period budget's window has committed so far, through the real pipeline.</summary>
public sealed class BudgetTierTests
{
    private static void Tier(PeriodBudgetOptions budget, double percent, BudgetTierAction action = BudgetTierAction.Notify) =>
        budget.Tiers.Add(new BudgetTier { Percent = percent, Action = action });

    [Fact]
    public async Task A_notify_tier_fires_once_in_its_window_with_event_ledger_marker_and_log_and_again_in_the_next_window()
    {
        var h = new TierHarness(b => { Tier(b, 50); Tier(b, 80); });

        await h.Call(output: 49);
        await h.Call(output: 1);
        Assert.Empty(h.Reached);

        // 50 committed: the next call finds the 50 % tier reached, and the calls after it find nothing new.
        await h.Call(output: 10);
        await h.Call(output: 20);
        BudgetTierEventArgs reached = Assert.Single(h.Reached);
        Assert.Equal(("daily", "daily|team=search", "daily@50", 50d, BudgetTierAction.Notify, 50d), (reached.BudgetName, reached.Key, reached.Tier, reached.Percent, reached.Action, reached.UsedPercent));
        Assert.Equal((new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero)), (reached.WindowStart, reached.WindowEnd));

        CostRecord marker = Assert.Single(h.Markers);
        Assert.Equal(("daily@50", "daily|team=search", CallOutcome.NotSent, 0m, "search"), (marker.BudgetTier, marker.LimitBudget, marker.Outcome, marker.Cost, marker.Attribution.Team));
        Assert.Single(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("'daily@50'", StringComparison.Ordinal));

        // The calls at or above the tier carry it; the ones below did not.
        Assert.Equal([null, null, "daily@50", "daily@50"], h.Calls.Select(c => c.BudgetTier));
        Assert.All(h.Calls, c => Assert.Equal(BudgetDecision.Allowed, c.Decision));

        await h.Call(output: 0);
        Assert.Equal(["daily@50", "daily@80"], h.Reached.Select(r => r.Tier));

        // Another team has its own window; tomorrow this team starts afresh.
        await h.Call(output: 0, team: "ads");
        h.Time.Advance(TimeSpan.FromDays(1));
        await h.Call(output: 90);
        await h.Call(output: 0);
        Assert.Equal(["daily@50", "daily@80", "daily@50", "daily@80"], h.Reached.Select(r => r.Tier));
        Assert.Equal(4, h.Markers.Count);
    }

    [Fact]
    public async Task A_notify_tier_reaches_the_metric_and_the_span_of_the_call_that_finds_it()
    {
        using var telemetry = new TelemetryHarness();
        var h = new TierHarness(b => Tier(b, 50));
        await h.Call(output: 60, team: "tier-telemetry");
        await h.Call(output: 0, team: "tier-telemetry");

        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.BudgetTiersMetric, (CostGovernanceTelemetry.BudgetTierAttribute, "daily@50"), ("aicostguard.budget.tier.action", "notify")));
        System.Diagnostics.Activity span = telemetry.Spans.Single(s => s.GetTagItem(CostGovernanceTelemetry.BudgetTierAttribute) is not null);
        Assert.Equal("daily@50", span.GetTagItem(CostGovernanceTelemetry.BudgetTierAttribute));

        // The event is on the span current when the call found the tier: here the test's own.
        Assert.Single(telemetry.Root.Events, e => e.Name == CostGovernanceTelemetry.BudgetTierEventName && (string?)e.Tags.First(t => t.Key == CostGovernanceTelemetry.BudgetTierAttribute).Value == "daily@50");
    }

    [Fact]
    public async Task A_tier_that_lowers_reasoning_sends_a_reasoning_model_low_effort_without_changing_the_callers_options()
    {
        var h = new TierHarness(b => Tier(b, 50, BudgetTierAction.LowerReasoningEffort), model: "gpt-5-mini");
        var asked = new ChatOptions { MaxOutputTokens = 50 };

        await h.Call(output: 60, asked);
        Assert.Same(asked, h.Inner.ReceivedOptions[^1]);

        await h.Call(output: 0, asked);
        Assert.Equal(ReasoningEffort.Low, h.Inner.ReceivedOptions[^1]!.Reasoning?.Effort);
        Assert.Null(asked.Reasoning);
        Assert.Equal((BudgetDecision.ReasoningLowered, "daily@50", "daily"), (h.Last.Decision, h.Last.BudgetTier, h.Last.LimitBudget));

        // A streamed call is lowered the same way.
        await h.Stream(output: 0, new ChatOptions { MaxOutputTokens = 50, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High, Output = ReasoningOutput.Summary } });
        Assert.Equal((ReasoningEffort.Low, ReasoningOutput.Summary), (h.Inner.ReceivedOptions[^1]!.Reasoning!.Effort, h.Inner.ReceivedOptions[^1]!.Reasoning!.Output));
        Assert.Equal(BudgetDecision.ReasoningLowered, h.Last.Decision);
    }

    [Fact]
    public async Task A_tier_that_lowers_reasoning_leaves_a_model_that_does_not_reason_alone_unless_the_request_asks_for_reasoning()
    {
        var h = new TierHarness(b => b.Tiers.Add(new BudgetTier { Percent = 50, Action = BudgetTierAction.LowerReasoningEffort, ReasoningEffort = ReasoningEffort.Medium }));
        await h.Call(output: 60);
        var plain = new ChatOptions { MaxOutputTokens = 50 };

        await h.Call(output: 0, plain);
        Assert.Same(plain, h.Inner.ReceivedOptions[^1]);
        Assert.Equal((BudgetDecision.Allowed, "daily@50"), (h.Last.Decision, h.Last.BudgetTier));

        await h.Call(output: 0, new ChatOptions { MaxOutputTokens = 50, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } });
        Assert.Equal(ReasoningEffort.Low, h.Inner.ReceivedOptions[^1]!.Reasoning!.Effort);

        await h.Call(output: 0, new ChatOptions { MaxOutputTokens = 50, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.ExtraHigh } });
        Assert.Equal(ReasoningEffort.Medium, h.Inner.ReceivedOptions[^1]!.Reasoning!.Effort);
    }

    [Fact]
    public async Task A_degrade_tier_sends_the_call_to_the_next_cheaper_model_of_the_ladder_and_prices_it_there()
    {
        var h = new TierHarness(
            b => Tier(b, 80, BudgetTierAction.Degrade),
            o => { o.DegradeModels.Add("gpt-4o"); o.DegradeModels.Add("gpt-4o-mini"); },
            model: "gpt-4o");

        await h.Call(output: 80);
        Assert.Equal("gpt-4o", h.Last.ModelId);

        await h.Call(output: 5);
        Assert.Equal("gpt-4o-mini", h.Inner.ReceivedOptions[^1]!.ModelId);
        CostRecord degraded = h.Last;
        Assert.Equal(("gpt-4o-mini", "gpt-4o", BudgetDecision.Degraded, "daily@80"), (degraded.ModelId, degraded.RequestedModelId, degraded.Decision, degraded.BudgetTier));
        Assert.Equal(PriceCatalog.Default.Models["gpt-4o-mini"].GetCost(new TokenUsage(10, 5)), degraded.Cost);
    }

    [Fact]
    public async Task A_tier_that_drops_tools_sends_the_call_without_them()
    {
        var h = new TierHarness(b => Tier(b, 95, BudgetTierAction.DropTools));
        var withTools = new ChatOptions { MaxOutputTokens = 50, Tools = [AIFunctionFactory.Create(() => 42, "answer")], ToolMode = ChatToolMode.RequireAny };

        await h.Call(output: 95, withTools);
        Assert.Single(h.Inner.ReceivedOptions[^1]!.Tools!);

        await h.Call(output: 0, withTools);
        Assert.Null(h.Inner.ReceivedOptions[^1]!.Tools);
        Assert.Equal(ChatToolMode.None, h.Inner.ReceivedOptions[^1]!.ToolMode);
        Assert.Single(withTools.Tools!);
        Assert.Equal((BudgetDecision.ToolsDropped, "daily@95"), (h.Last.Decision, h.Last.BudgetTier));
    }

    [Fact]
    public async Task A_refuse_tier_refuses_calls_until_the_window_ends_naming_the_tier_and_actions_add_up_below_it()
    {
        var h = new TierHarness(b => { Tier(b, 80, BudgetTierAction.DropTools); Tier(b, 100, BudgetTierAction.Refuse); });
        await h.Call(output: 100);

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call(output: 0));
        Assert.Equal(("daily@100", "daily|team=search", BudgetLimitKind.OutputTokens, 100m, 100m), (e.BudgetTier, e.BudgetName, e.LimitKind, e.Limit, e.Spent));
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), e.RetryAt);
        Assert.Contains("tier 'daily@100'", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, "daily@100"), (h.Last.Decision, h.Last.Outcome, h.Last.BudgetTier));
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Stream(output: 0));
        Assert.Equal(1, h.Inner.Calls);

        h.Time.Advance(TimeSpan.FromDays(1));
        await h.Call(output: 85);
        Assert.Equal(2, h.Inner.Calls);
        var withTools = new ChatOptions { MaxOutputTokens = 50, Tools = [AIFunctionFactory.Create(() => 42, "answer")] };
        await h.Call(output: 0, withTools);
        Assert.Null(h.Inner.ReceivedOptions[^1]!.Tools);
        Assert.Equal(["daily@80", "daily@100", "daily@80"], h.Reached.Select(r => r.Tier));
    }

    [Fact]
    public async Task In_shadow_mode_a_refuse_tier_lets_the_call_through_and_records_what_it_would_have_done()
    {
        var h = new TierHarness(b => { Tier(b, 50, BudgetTierAction.DropTools); Tier(b, 100, BudgetTierAction.Refuse); }, o => o.Mode = EnforcementMode.Shadow);
        var withTools = new ChatOptions { MaxOutputTokens = 50, Tools = [AIFunctionFactory.Create(() => 42, "answer")] };
        await h.Call(output: 100, withTools);

        await h.Call(output: 0, withTools);
        Assert.Same(withTools, h.Inner.ReceivedOptions[^1]);
        Assert.Equal((BudgetDecision.ShadowRejected, "daily@100"), (h.Last.Decision, h.Last.BudgetTier));
    }

    [Fact]
    public async Task On_a_budget_whose_ceilings_are_enforced_the_tiers_measure_the_nearest_ceiling_and_the_ceiling_still_refuses()
    {
        var h = new TierHarness(b =>
        {
            b.EnforceLimits = true;
            b.Limits.MaximumCost = 1m;
            Tier(b, 50);
        });

        var small = new ChatOptions { MaxOutputTokens = 10 };
        await h.Call(output: 30, small);
        await h.Call(output: 30, small);
        Assert.Empty(h.Reached);
        await h.Call(output: 0, small);
        Assert.Equal(("daily@50", 60d), (Assert.Single(h.Reached).Tier, h.Reached[0].UsedPercent));

        // The worst case of a large call does not fit the output ceiling, whatever the tiers say.
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call(output: 0, new ChatOptions { MaxOutputTokens = 50 }));
        Assert.Equal((BudgetLimitKind.OutputTokens, null), (e.LimitKind, e.BudgetTier));
    }

    [Fact]
    public async Task A_rolling_window_notifies_again_once_its_spend_fell_below_the_tier_and_climbed_back()
    {
        var h = new TierHarness(b =>
        {
            b.Period = BudgetPeriod.Rolling;
            b.RollingWindow = TimeSpan.FromHours(1);
            b.RollingBuckets = 4;
            Tier(b, 50);
        });
        await h.Call(output: 60);
        await h.Call(output: 0);
        h.Time.Advance(TimeSpan.FromMinutes(20));
        await h.Call(output: 0);
        Assert.Single(h.Reached);

        // The spend leaves the window: below the tier, it re-arms; climbing back notifies again.
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Call(output: 55);
        await h.Call(output: 0);
        Assert.Equal(2, h.Reached.Count);
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_and_the_call_goes_on()
    {
        var h = new TierHarness(b => Tier(b, 50));
        h.Client.BudgetTierReached += (_, _) => throw new InvalidOperationException("handler bug");
        await h.Call(output: 60);

        await h.Call(output: 0);

        Assert.Equal(2, h.Inner.Calls);
        Assert.Single(h.Logger.Entries, e => e.Level == LogLevel.Error && e.Exception?.Message == "handler bug");
    }

    [Fact]
    public async Task Without_tiers_the_period_gate_reads_no_spend_before_a_call()
    {
        var store = new CountingStore();
        var options = new CostGovernanceOptions { BudgetStore = store };
        options.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "daily", Period = BudgetPeriod.Daily, Limits = { MaximumCost = 1m } });
        var client = new CostGovernanceChatClient(new FakeChatClient(), options);

        await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10 });

        Assert.Equal((0, 1), (store.Reads, store.Reservations));
    }

    private sealed class CountingStore : IBudgetStore
    {
        private readonly InMemoryBudgetStore _inner = new();

        public int Reads { get; private set; }

        public int Reservations { get; private set; }

        public ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default)
        {
            Reservations++;
            return _inner.TryReserveAsync(window, reservationId, amount, limits, cancellationToken);
        }

        public ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default) =>
            _inner.CommitAsync(window, reservationId, actual, cancellationToken);

        public ValueTask<BudgetWindowUsage> GetUsageAsync(BudgetWindow window, CancellationToken cancellationToken = default)
        {
            Reads++;
            return _inner.GetUsageAsync(window, cancellationToken);
        }
    }
}
