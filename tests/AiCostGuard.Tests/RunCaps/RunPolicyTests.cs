using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.RunCaps;

public sealed class RunPolicyTests
{
    private static readonly ModelPrice Gpt4o = PriceCatalog.Default.Models["gpt-4o"];
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];

    private static long Input(IEnumerable<ChatMessage> messages, string model) => TokenEstimator.EstimateInputTokens(messages, model).Tokens;

    [Fact]
    public async Task Degrade_sends_a_call_that_no_longer_fits_to_the_first_cheaper_model_that_does()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        var governed = new Governed(o =>
        {
            o.RunLimitAction = RunLimitAction.Degrade;
            o.DegradeModels.Add("gpt-4o");
            o.DegradeModels.Add("gpt-4o-mini");
        });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = Gpt4o.GetWorstCaseCost(Input(prompt, "gpt-4o"), 1000) / 2 }, "agent");

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 1000 });

        Assert.Equal("gpt-4o-mini", governed.Inner.ReceivedOptions[0]!.ModelId);
        CostRecord record = governed.Last;
        Assert.Equal((BudgetDecision.Degraded, "gpt-4o-mini", "gpt-4o", BudgetLimitKind.Cost), (record.Decision, record.ModelId, record.RequestedModelId, record.LimitKind));
        Assert.Equal(Mini.GetCost(new TokenUsage(100, 20)), record.Cost);
    }

    [Fact]
    public async Task Degrade_sends_a_final_turn_to_a_cheaper_model_that_pays_its_whole_output_rather_than_clamping()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        var governed = new Governed(o =>
        {
            o.RunLimitAction = RunLimitAction.Degrade;
            o.DegradeModels.Add("gpt-4o");
            o.DegradeModels.Add("gpt-4o-mini");
        });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = Gpt4o.GetWorstCaseCost(Input(prompt, "gpt-4o"), 1000) / 2, MaximumModelCalls = 1 }, "agent");

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 1000, Tools = [AIFunctionFactory.Create(() => 1, "f")] });

        ChatOptions sent = governed.Inner.ReceivedOptions[0]!;
        Assert.Equal(("gpt-4o-mini", 1000, (IList<AITool>?)null), (sent.ModelId, sent.MaxOutputTokens, sent.Tools));
        Assert.Equal((BudgetDecision.Degraded, "gpt-4o", "agent"), (governed.Last.Decision, governed.Last.RequestedModelId, governed.Last.LimitBudget));
    }

    [Fact]
    public async Task Degrade_ends_with_a_final_clamped_turn_when_no_cheaper_model_fits()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = Input(prompt, "gpt-4o-mini");
        var governed = new Governed(o =>
        {
            o.RunLimitAction = RunLimitAction.Degrade;
            o.DegradeModels.Add("gpt-4o-mini");
            o.MinimumClampedOutputTokens = 10;
        });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = Mini.GetWorstCaseCost(input, 100) }, "agent");

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 4000, Tools = [AIFunctionFactory.Create(() => 1, "f")] });

        ChatOptions sent = governed.Inner.ReceivedOptions[0]!;
        Assert.Equal(100, sent.MaxOutputTokens);
        Assert.Null(sent.Tools);
        Assert.Equal(BudgetDecision.FinalTurn, governed.Last.Decision);
    }

    [Fact]
    public async Task Soft_stop_on_cost_clamps_even_when_the_configured_action_rejects()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = Input(prompt, "gpt-4o-mini");
        var governed = new Governed(o =>
        {
            o.RunLimitAction = RunLimitAction.SoftStop;
            o.OverBudgetAction = OverBudgetAction.Reject;
            o.MinimumClampedOutputTokens = 10;
        });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = Mini.GetWorstCaseCost(input, 300) }, "agent");

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 4000 });

        Assert.Equal(300, governed.Inner.ReceivedOptions[0]!.MaxOutputTokens);
        Assert.Equal(BudgetDecision.FinalTurn, governed.Last.Decision);
    }

    [Fact]
    public void A_degrade_ladder_with_an_unpriced_model_fails_at_build()
    {
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance(o =>
        {
            o.RunLimitAction = RunLimitAction.Degrade;
            o.DegradeModels.Add("gpt-4o");
            o.DegradeModels.Add("my-unknown-model");
        });
        Microsoft.Extensions.Options.OptionsValidationException e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => builder.Build());
        Assert.Contains("my-unknown-model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Degrade_without_a_ladder_and_run_caps_on_single_requests_are_invalid()
    {
        var options = new CostGovernanceOptions { RunLimitAction = RunLimitAction.Degrade };
        options.RequestLimits.MaximumModelCalls = 3;
        IReadOnlyList<string> problems = options.Validate();
        Assert.Contains(problems, p => p.StartsWith("DegradeModels", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("RequestLimits: caps on model calls", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Past_the_wall_time_cap_no_model_call_is_admitted()
    {
        var time = new FakeTimeProvider();
        var governed = new Governed();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumDuration = TimeSpan.FromMinutes(1) }, "agent", time);

        await governed.Client.GetResponseAsync(Governed.Prompt());
        time.Advance(TimeSpan.FromSeconds(59));
        await governed.Client.GetResponseAsync(Governed.Prompt());
        time.Advance(TimeSpan.FromSeconds(1));

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
        Assert.Equal((BudgetLimitKind.Duration, 60m), (e.LimitKind, e.Limit));
        Assert.Equal(2, governed.Inner.Calls);
    }

    [Fact]
    public async Task Past_the_fan_out_cap_a_call_is_rejected_when_the_policy_says_reject()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var governed = new Governed(o => o.ConcurrencyLimitAction = ConcurrencyLimitAction.Reject);
        governed.Inner.OnCall = async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
        };
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumConcurrentModelCalls = 1 }, "fanout");

        Task first = governed.Client.GetResponseAsync(Governed.Prompt());
        await entered.Task;
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
        release.SetResult();
        await first;

        Assert.Equal((BudgetLimitKind.ConcurrentModelCalls, "fanout"), (e.LimitKind, e.BudgetName));
        Assert.Equal(1, governed.Inner.Calls);
        Assert.Contains(governed.Ledger.GetRecords(), r => r.LimitKind == BudgetLimitKind.ConcurrentModelCalls && r.Outcome == CallOutcome.NotSent);

        // The slot is free again.
        governed.Inner.OnCall = null;
        await governed.Client.GetResponseAsync(Governed.Prompt());
    }

    [Fact]
    public async Task Past_the_fan_out_cap_calls_wait_their_turn()
    {
        int inFlight = 0, most = 0;
        var governed = new Governed();
        governed.Inner.OnCall = async (_, _) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            for (int i = 0; i < 5; i++)
            {
                await Task.Yield();
            }

            Interlocked.Decrement(ref inFlight);
        };
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumConcurrentModelCalls = 2 }, "fanout");

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => governed.Client.GetResponseAsync(Governed.Prompt()))));

        Assert.InRange(most, 1, 2);
        Assert.Equal(16, governed.Inner.Calls);
        Assert.Equal(2, run.Concurrency!.CurrentCount);

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public async Task A_call_waiting_for_a_fan_out_slot_can_be_cancelled_and_never_reaches_the_model()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var governed = new Governed();
        governed.Inner.OnCall = async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
        };
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumConcurrentModelCalls = 1 }, "fanout");
        Task first = governed.Client.GetResponseAsync(Governed.Prompt());
        await entered.Task;

        using var cts = new CancellationTokenSource();
        Task waiting = governed.Client.GetResponseAsync(Governed.Prompt(), cancellationToken: cts.Token);
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        release.SetResult();
        await first;
        Assert.Equal(1, governed.Inner.Calls);
        Assert.Equal(default, run.Reserved);
    }
}
