using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Velocity;

public sealed class SpendVelocityTests
{
    private static readonly decimal Actual = PriceCatalog.Default.Models["gpt-4o-mini"].GetCost(new TokenUsage(100, 20));

    private sealed class Harness
    {
        public Harness(SpendVelocityRule rule, DateTimeOffset? start = null, EnforcementMode mode = EnforcementMode.Enforce)
        {
            Time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
            var options = new CostGovernanceOptions { Ledger = Ledger, Mode = mode };
            options.SpendVelocity.Add(rule);
            Client = new CostGovernanceChatClient(Inner, options, Time);
            Client.SpendVelocityExceeded += (_, alert) => Alerts.Add(alert);
        }

        public FakeTimeProvider Time { get; }

        public FakeChatClient Inner { get; } = new();

        public InMemoryCostLedger Ledger { get; } = new();

        public CostGovernanceChatClient Client { get; }

        public List<SpendVelocityEventArgs> Alerts { get; } = [];

        public async Task Call(string team = "search")
        {
            using (CostAttribution.Begin(new CostAttribution { Team = team }))
            {
                await Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });
            }
        }
    }

    private static SpendVelocityRule Rule(SpendVelocityAction action, SpendVelocityWindow window, decimal maximum) =>
        new() { Name = "runaway", Dimensions = AttributionDimensions.Team, Window = window, MaximumCost = maximum, Action = action };

    [Fact]
    public async Task Block_rejects_a_key_whose_rate_is_above_the_threshold_naming_key_window_rate_and_threshold()
    {
        var h = new Harness(Rule(SpendVelocityAction.Block, SpendVelocityWindow.Minute, Actual * 1.5m));

        await h.Call();
        await h.Call();
        SpendVelocityExceededException e = await Assert.ThrowsAsync<SpendVelocityExceededException>(() => h.Call());

        Assert.Equal(("runaway", "team=search", SpendVelocityWindow.Minute, Actual * 2, Actual * 1.5m), (e.RuleName, e.Key, e.Window, e.Cost, e.Threshold));
        Assert.Contains("Spend velocity of 'team=search' is above rule 'runaway'", e.Message, StringComparison.Ordinal);
        Assert.Contains("per minute", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent), (h.Ledger.GetRecords()[^1].Decision, h.Ledger.GetRecords()[^1].Outcome));

        await h.Call("ads");
        h.Time.Advance(TimeSpan.FromSeconds(59));
        await Assert.ThrowsAsync<SpendVelocityExceededException>(() => h.Call());
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Call();
        Assert.Equal(4, h.Inner.Calls);
    }

    [Fact]
    public async Task Throttle_waits_on_the_injected_clock_until_the_rate_is_back_then_proceeds()
    {
        var h = new Harness(Rule(SpendVelocityAction.Throttle, SpendVelocityWindow.Second, Actual * 1.5m));
        await h.Call();
        await h.Call();

        Task throttled = h.Call();
        Assert.False(throttled.IsCompleted);
        h.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(throttled.IsCompleted);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await throttled;

        Assert.Equal(3, h.Inner.Calls);
        Assert.Equal(SpendVelocityAction.Throttle, Assert.Single(h.Alerts).Action);
    }

    [Fact]
    public async Task Throttle_rejects_at_once_when_the_rate_needs_longer_than_the_bounded_wait()
    {
        var h = new Harness(Rule(SpendVelocityAction.Throttle, SpendVelocityWindow.Minute, Actual * 1.5m));
        await h.Call();
        await h.Call();

        SpendVelocityExceededException e = await Assert.ThrowsAsync<SpendVelocityExceededException>(() => h.Call());
        Assert.Equal(SpendVelocityWindow.Minute, e.Window);
        Assert.Equal(2, h.Inner.Calls);
    }

    [Fact]
    public async Task Throttle_rejects_when_the_rate_is_still_high_after_the_wait()
    {
        var h = new Harness(Rule(SpendVelocityAction.Throttle, SpendVelocityWindow.Second, Actual * 1.5m));
        await h.Call();

        // A call admitted while the rate was low settles while a later call is being throttled.
        TaskCompletionSource? gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = gate;
        h.Inner.OnCall = (_, _) => Interlocked.Exchange(ref gate, null)?.Task ?? Task.CompletedTask;
        Task inFlight = h.Call();
        h.Time.Advance(TimeSpan.FromMilliseconds(900));
        await h.Call();

        Task throttled = h.Call();
        Assert.False(throttled.IsCompleted);
        release.SetResult();
        await inFlight;
        h.Time.Advance(TimeSpan.FromMilliseconds(100));

        SpendVelocityExceededException e = await Assert.ThrowsAsync<SpendVelocityExceededException>(() => throttled);
        Assert.Equal(Actual * 2, e.Cost);
        Assert.Equal(3, h.Inner.Calls);
    }

    [Fact]
    public async Task Alert_raises_the_event_and_lets_the_call_through()
    {
        var h = new Harness(Rule(SpendVelocityAction.Alert, SpendVelocityWindow.Hour, Actual / 2));
        await h.Call();
        await h.Call();

        SpendVelocityEventArgs alert = Assert.Single(h.Alerts);
        Assert.Equal(("runaway", "team=search", SpendVelocityWindow.Hour, Actual, Actual / 2, h.Time.GetUtcNow()), (alert.RuleName, alert.Key, alert.Window, alert.Cost, alert.Threshold, alert.Timestamp));
        Assert.Equal(2, h.Inner.Calls);
    }

    [Fact]
    public async Task Shadow_mode_records_a_blocked_call_and_sends_it()
    {
        var h = new Harness(Rule(SpendVelocityAction.Block, SpendVelocityWindow.Minute, Actual / 2), mode: EnforcementMode.Shadow);
        await h.Call();
        await h.Call();

        Assert.Equal(2, h.Inner.Calls);
        Assert.Equal((BudgetDecision.ShadowRejected, "runaway"), (h.Ledger.GetRecords()[^1].Decision, h.Ledger.GetRecords()[^1].LimitBudget));
    }

    [Fact]
    public async Task A_learned_baseline_lets_a_key_keep_its_usual_pace_and_catches_a_jump_to_a_multiple_of_it()
    {
        SpendVelocityRule rule = Rule(SpendVelocityAction.Alert, SpendVelocityWindow.Minute, Actual * 1.1m);
        rule.BaselineMultiplier = 2;
        var h = new Harness(rule, new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));

        // Two calls a minute for three minutes: the norm is twice the call's cost per minute.
        for (int minute = 0; minute < 3; minute++)
        {
            await h.Call();
            h.Time.Advance(TimeSpan.FromSeconds(20));
            await h.Call();
            h.Time.Advance(TimeSpan.FromSeconds(40));
        }

        int before = h.Alerts.Count;
        for (int i = 0; i < 6; i++)
        {
            await h.Call();
        }

        // The threshold is 2 × the norm (4 calls' cost), above the floor of 1.1 calls: the window also holds the last
        // steady call, so the fifth call of the burst is the first to see more than the threshold.
        Assert.Equal(0, before);
        Assert.Equal(2, h.Alerts.Count);
        Assert.Equal((Actual * 5, Actual * 4), (h.Alerts[0].Cost, h.Alerts[0].Threshold));
    }

    [Fact]
    public void The_meter_reads_and_books_without_allocating()
    {
        var meter = new SpendVelocityMeter(Rule(SpendVelocityAction.Block, SpendVelocityWindow.Second, 1m));
        var now = new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);
        meter.Add("team=search", now, 0.1m);
        meter.Read("team=search", now);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            now = now.AddMilliseconds(100);
            meter.Add("team=search", now, 0.1m);
            meter.Read("team=search", now);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1.0m, meter.Read("team=search", now).Cost);
    }
}
