using System.Collections.Concurrent;
using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Enforcement;

public sealed class ConcurrencyTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];

    [Fact]
    public async Task Parallel_calls_on_one_scope_never_hold_more_than_its_cost_ceiling()
    {
        const int Calls = 40;
        const int MaxOutput = 1000;
        List<ChatMessage> prompt = Governed.Prompt();
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o-mini").Tokens;
        decimal worstCase = Mini.GetWorstCaseCost(input, MaxOutput);
        decimal ceiling = worstCase * 10.5m;

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allDecided = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int admitted = 0, rejected = 0;
        var observed = new ConcurrentBag<decimal>();
        void Decided()
        {
            if (Volatile.Read(ref admitted) + Volatile.Read(ref rejected) == Calls)
            {
                allDecided.TrySetResult();
            }
        }

        var inner = new FakeChatClient
        {
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = MaxOutput / 2 },
            OnCall = async (_, _) =>
            {
                BudgetScope scope = BudgetScope.Current!;
                observed.Add(scope.Spent.Cost + scope.Reserved.Cost);
                Interlocked.Increment(ref admitted);
                Decided();
                await release.Task;
            },
        };
        var governed = new Governed(inner: inner);

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = ceiling }, "parallel");
        Task[] calls = Enumerable.Range(0, Calls).Select(_ => Task.Run(async () =>
        {
            try
            {
                await governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = MaxOutput });
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref rejected);
                Decided();
            }
        })).ToArray();

        await allDecided.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Every admitted call is in flight now: exactly as many as the ceiling holds worst cases.
        Assert.Equal(10, admitted);
        Assert.Equal(Calls - 10, rejected);
        Assert.All(observed, held => Assert.True(held <= ceiling, $"{held} > {ceiling}"));
        Assert.Equal(worstCase * 10, scope.Reserved.Cost);

        release.SetResult();
        await Task.WhenAll(calls);
        Assert.Equal(default, scope.Reserved);
        Assert.Equal(Mini.GetCost(new TokenUsage(input, MaxOutput / 2)) * 10, scope.Spent.Cost);
        Assert.True(scope.Spent.Cost <= ceiling);
    }

    [Property(MaxTest = 60)]
    public Property Committed_plus_reserved_never_exceeds_a_ceiling(PositiveInt[] maxOutputs, PositiveInt ceilingMicros, bool clamp)
    {
        decimal ceiling = (ceilingMicros.Get % 5000 + 1) / 1_000_000m;
        List<ChatMessage> prompt = Governed.Prompt();
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o-mini").Tokens;
        bool held = true;
        var inner = new FakeChatClient
        {
            // A provider that honours MaxOutputTokens and reports the prompt as counted.
            UsageFor = o => new UsageDetails { InputTokenCount = input, OutputTokenCount = o?.MaxOutputTokens ?? 1 },
        };
        var governed = new Governed(
            o =>
            {
                o.OverBudgetAction = clamp ? OverBudgetAction.Clamp : OverBudgetAction.Reject;
                o.MinimumClampedOutputTokens = 1;
            },
            inner);
        inner.OnCall = (_, _) =>
        {
            BudgetScope s = BudgetScope.Current!;
            held &= s.Spent.Cost + s.Reserved.Cost <= ceiling;
            return Task.CompletedTask;
        };

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = ceiling });
        Parallel.ForEach(maxOutputs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, maxOutput =>
        {
            try
            {
                governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = maxOutput.Get % 4000 + 1 }).GetAwaiter().GetResult();
            }
            catch (BudgetExceededException)
            {
            }
        });

        return (held && scope.Spent.Cost <= ceiling && scope.Reserved == default)
            .Label($"held={held} spent={scope.Spent.Cost} reserved={scope.Reserved} ceiling={ceiling}");
    }
}
