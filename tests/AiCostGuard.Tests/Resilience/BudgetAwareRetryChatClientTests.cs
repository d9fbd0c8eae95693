using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Retry;

namespace AiCostGuard.Tests.Resilience;

public sealed class BudgetAwareRetryChatClientTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryCostLedger _ledger = new();

    private IChatClient Retrying(FakeChatClient inner, Action<RetryStrategyOptions<ChatResponse>>? retry = null, Action<CostGovernanceOptions>? governance = null) =>
        new ChatClientBuilder(inner)
            .UseBudgetAwareRetry(retry)
            .UseCostGovernance(o =>
            {
                o.Ledger = _ledger;
                governance?.Invoke(o);
            })
            .Build(new ServiceCollection().AddSingleton<TimeProvider>(_time).BuildServiceProvider());

    private static FakeChatClient FailingFirst(int failures, Func<Exception>? error = null)
    {
        var inner = new FakeChatClient();
        int calls = 0;
        inner.OnCall = (_, _) => Interlocked.Increment(ref calls) <= failures ? throw (error?.Invoke() ?? new HttpRequestException("502 Bad Gateway")) : Task.CompletedTask;
        return inner;
    }

    private static void NoDelay(RetryStrategyOptions<ChatResponse> o) => o.Delay = TimeSpan.Zero;

    [Fact]
    public async Task Every_attempt_is_admitted_charged_and_recorded_with_its_number()
    {
        FakeChatClient inner = FailingFirst(2);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "job");

        ChatResponse response = await Retrying(inner, NoDelay).GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });

        Assert.Equal("The answer is forty-two.", response.Text);
        IReadOnlyList<CostRecord> records = _ledger.GetRecords();
        Assert.Equal([1, 2, 3], records.Select(r => r.Attempt));
        Assert.Equal([CallOutcome.Failed, CallOutcome.Failed, CallOutcome.Succeeded], records.Select(r => r.Outcome));
        Assert.Equal(3, inner.Calls);
        Assert.Equal(3L, run.ModelCallCount);
        Assert.Equal(Mini.GetCost(new TokenUsage(100, 20, 0, 0)), run.Spent.Cost);
        Assert.Equal(run.Spent.Cost, records.Sum(r => r.Cost));
        Assert.Equal(0m, run.Reserved.Cost);
    }

    [Fact]
    public async Task A_retry_never_starts_when_the_budget_can_no_longer_pay_its_worst_case()
    {
        FakeChatClient inner = FailingFirst(1);
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IChatClient client = Retrying(inner, o =>
        {
            o.Delay = TimeSpan.FromSeconds(5);
            o.OnRetry = _ =>
            {
                retrying.TrySetResult();
                return default;
            };
        });
        var sibling = new Governed(o => o.Ledger = _ledger, new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 60_000, OutputTokenCount = 1_000 } });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.01m }, "job");

        Task<ChatResponse> call = client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1_000 });
        await retrying.Task;

        // While the retry waits, another call of the run spends what it would have needed.
        await sibling.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1_000 });
        Assert.Equal(1, inner.Calls);
        while (!call.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => call);
        Assert.Equal((BudgetLimitKind.Cost, "job"), (e.LimitKind, e.BudgetName));
        Assert.Equal(1, inner.Calls);
        Assert.Equal(CallOutcome.NotSent, _ledger.GetRecords()[^1].Outcome);
    }

    [Fact]
    public async Task A_retry_the_budget_already_cannot_pay_is_refused_at_once_without_waiting_its_delay()
    {
        var sibling = new Governed(o => o.Ledger = _ledger, new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 60_000, OutputTokenCount = 1_000 } });
        var inner = new FakeChatClient();
        int calls = 0;
        inner.OnCall = async (_, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Before this attempt fails, another call of the run spends what a retry would need.
                await sibling.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1_000 }, token);
                throw new HttpRequestException("502 Bad Gateway");
            }
        };
        IChatClient client = Retrying(inner, o => o.Delay = TimeSpan.FromHours(1));
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.01m }, "job");
        DateTimeOffset before = _time.GetUtcNow();

        // The clock is never advanced: waiting the hour would never end, and the guard below would fail the test.
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(
            () => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1_000 }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal((BudgetLimitKind.Cost, "job"), (e.LimitKind, e.BudgetName));
        Assert.Equal(before, _time.GetUtcNow());
        Assert.Equal(1, inner.Calls);
        CostRecord refusal = _ledger.GetRecords()[^1];
        Assert.Equal((CallOutcome.NotSent, 2), (refusal.Outcome, refusal.Attempt));
    }

    [Fact]
    public async Task A_retry_the_budget_can_pay_waits_the_user_delay_generator()
    {
        FakeChatClient inner = FailingFirst(1);
        var delayed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        IChatClient client = Retrying(inner, o =>
        {
            o.DelayGenerator = _ => new ValueTask<TimeSpan?>(TimeSpan.FromMinutes(3));
            o.OnRetry = args =>
            {
                delayed.TrySetResult(args.RetryDelay);
                return default;
            };
        });
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "job");

        Task<ChatResponse> call = client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });

        Assert.Equal(TimeSpan.FromMinutes(3), await delayed.Task);
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("The answer is forty-two.", (await call).Text);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Transient_failures_are_retried_by_the_settings_with_delays_on_the_time_provider()
    {
        var inner = new FakeChatClient { Throw = new TimeoutException("The provider timed out.") };
        var retried = new List<int>();
        IChatClient client = Retrying(inner, o =>
        {
            o.MaxRetryAttempts = 2;
            o.Delay = TimeSpan.FromSeconds(10);
            o.OnRetry = args =>
            {
                lock (retried)
                {
                    retried.Add(args.AttemptNumber);
                }

                return default;
            };
        });

        Task<ChatResponse> call = client.GetResponseAsync(Governed.Prompt());
        Assert.Equal(1, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, inner.Calls);
        while (!call.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await Task.Yield();
        }

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Equal(3, inner.Calls);
        Assert.Equal([0, 1], retried);
        Assert.Equal([1, 2, 3], _ledger.GetRecords().Select(r => r.Attempt));
    }

    [Fact]
    public async Task Failures_the_settings_do_not_handle_are_not_retried()
    {
        FakeChatClient inner = FailingFirst(1, () => new InvalidOperationException("Bad request."));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Retrying(inner, NoDelay).GetResponseAsync(Governed.Prompt()));

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_budget_refusal_is_never_retried_even_when_the_settings_handle_everything()
    {
        FakeChatClient inner = FailingFirst(1);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 1 }, "job");
        int handled = 0;

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => Retrying(inner, o =>
        {
            NoDelay(o);
            o.MaxRetryAttempts = 5;
            o.ShouldHandle = _ =>
            {
                Interlocked.Increment(ref handled);
                return new ValueTask<bool>(true);
            };
        }).GetResponseAsync(Governed.Prompt()));

        Assert.Equal(BudgetLimitKind.ModelCalls, e.LimitKind);
        Assert.Equal((1, 1), (inner.Calls, handled));
    }

    [Fact]
    public async Task Missing_attribution_and_unknown_models_are_never_retried()
    {
        var inner = new FakeChatClient();
        IChatClient client = Retrying(inner, o =>
        {
            NoDelay(o);
            o.ShouldHandle = _ => new ValueTask<bool>(true);
        }, g => g.RequiredAttribution = AttributionDimensions.Team);

        await Assert.ThrowsAsync<MissingAttributionException>(() => client.GetResponseAsync(Governed.Prompt()));
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await Assert.ThrowsAsync<UnknownModelException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "no-such-model" }));
        }

        Assert.Equal(0, inner.Calls);
        Assert.Equal(2, _ledger.GetRecords().Count);
    }

    [Fact]
    public async Task A_policy_denial_is_never_retried()
    {
        var inner = new FakeChatClient();
        IChatClient client = Retrying(inner, o =>
        {
            NoDelay(o);
            o.ShouldHandle = _ => new ValueTask<bool>(true);
        }, g => g.Policies.Add(new ModelPolicy { Name = "no-o3", Match = { Models = { "o3" } }, DenyAll = true }));

        await Assert.ThrowsAsync<PolicyDeniedException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "o3" }));

        Assert.Equal(0, inner.Calls);
        Assert.Equal(BudgetDecision.Denied, Assert.Single(_ledger.GetRecords()).Decision);
    }

    [Fact]
    public void Placed_inside_the_governance_the_pipeline_fails_to_build()
    {
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance().UseBudgetAwareRetry();

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("before (outside) the governance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_is_not_retried()
    {
        var inner = new FakeChatClient { FailAfterUpdates = 2 };
        IChatClient client = Retrying(inner, NoDelay);

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Governed.Prompt()))
            {
                Assert.NotNull(update);
            }
        });

        Assert.Equal(1, inner.Calls);
        Assert.Equal(0, Assert.Single(_ledger.GetRecords()).Attempt);
    }

    [Fact]
    public void Invalid_retry_settings_are_rejected_when_the_pipeline_is_built()
    {
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseBudgetAwareRetry(o => o.MaxRetryAttempts = -1).UseCostGovernance();

        Assert.ThrowsAny<System.ComponentModel.DataAnnotations.ValidationException>(() => builder.Build());
    }
}
