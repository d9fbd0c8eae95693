using System.Collections.Concurrent;
using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Budgets;

/// <summary>
/// Random trees of runs — carved, shared and uncarved children, grandchildren — each making random concurrent calls,
/// some cancelled mid-call: no hard ceiling is ever exceeded, children's spend sums into their parents, and nothing
/// stays reserved once the calls are done.
/// </summary>
public sealed class RunTreePropertyTests
{
    private static readonly List<ChatMessage> Prompt = Governed.Prompt();
    private static readonly long Input = TokenEstimator.EstimateInputTokens(Prompt, "gpt-4o-mini").Tokens;

    [Property(MaxTest = 40)]
    public Property Random_run_trees_never_exceed_a_ceiling_and_leave_nothing_reserved(int seed)
    {
        var random = new Random(seed);
        var violations = new ConcurrentQueue<string>();
        var cancellations = new ConcurrentDictionary<CancellationToken, CancellationTokenSource>();
        var inner = new FakeChatClient
        {
            // A provider that honours MaxOutputTokens and reports the prompt as counted.
            UsageFor = o => new UsageDetails { InputTokenCount = Input, OutputTokenCount = o?.MaxOutputTokens ?? 1 },
            OnCall = async (_, ct) =>
            {
                for (BudgetScope? s = BudgetScope.Current; s is not null; s = s.Parent)
                {
                    decimal held = s.Spent.Cost + s.Reserved.Cost;
                    if (s.Limits.MaximumCost is { } max && held > max)
                    {
                        violations.Enqueue($"{s.Name}: {held} > {max}");
                    }
                }

                await Task.Yield();
                if (cancellations.TryGetValue(ct, out CancellationTokenSource? cts))
                {
                    await cts.CancelAsync();
                    ct.ThrowIfCancellationRequested();
                }
            },
        };
        var governed = new Governed(
            o =>
            {
                o.OverBudgetAction = random.Next(2) == 0 ? OverBudgetAction.Clamp : OverBudgetAction.Reject;
                o.MinimumClampedOutputTokens = 1;
            },
            inner);

        decimal rootLimit = random.Next(50, 5000) / 1_000_000m;
        var scopes = new ConcurrentBag<BudgetScope>();
        BudgetScope root = BudgetScope.Begin(new BudgetLimits { MaximumCost = rootLimit }, "root");
        scopes.Add(root);
        RunAsync(depth: 0, random.Next()).GetAwaiter().GetResult();
        root.Dispose();

        decimal ledgerTotal = governed.Ledger.GetRecords().Sum(r => r.Cost);
        bool reservedNothing = scopes.All(s => s.Reserved == default);
        bool withinCeilings = scopes.All(s => s.Limits.MaximumCost is not { } max || s.Spent.Cost <= max);
        // Every scope's spend is exactly the cost of the calls made in it and in all of its descendants.
        Dictionary<string, BudgetScope> byId = scopes.ToDictionary(s => s.Id);
        var expected = scopes.ToDictionary(s => s.Id, _ => 0m);
        foreach (CostRecord record in governed.Ledger.GetRecords())
        {
            for (BudgetScope? s = record.ScopeId is null ? null : byId[record.ScopeId]; s is not null; s = s.Parent)
            {
                expected[s.Id] += record.Cost;
            }
        }

        bool sums = root.Spent.Cost == ledgerTotal && scopes.All(s => s.Spent.Cost == expected[s.Id]);

        return (violations.IsEmpty && reservedNothing && withinCeilings && sums)
            .Label($"violations={string.Join("; ", violations)} reserved={string.Join(", ", scopes.Where(s => s.Reserved != default).Select(s => $"{s.Name}:{s.Reserved}"))} root={root.Spent.Cost}/{rootLimit} ledger={ledgerTotal}");

        async Task RunAsync(int depth, int branchSeed)
        {
            var branch = new Random(branchSeed);
            int calls = branch.Next(1, 5);
            var work = new List<Task>();
            for (int i = 0; i < calls; i++)
            {
                int maxOutput = branch.Next(1, 2000);
                bool cancel = branch.Next(5) == 0;
                work.Add(Task.Run(() => CallAsync(maxOutput, cancel)));
            }

            if (depth < 2)
            {
                int children = branch.Next(0, 3);
                for (int c = 0; c < children; c++)
                {
                    int childSeed = branch.Next();
                    int kind = branch.Next(3);
                    decimal fraction = branch.Next(1, 100) / 100m;
                    work.Add(Task.Run(async () =>
                    {
                        BudgetScope child;
                        try
                        {
                            child = kind switch
                            {
                                0 => BudgetScope.Begin(new BudgetLimits { MaximumCost = rootLimit * fraction }, $"carved-{depth}-{c}"),
                                1 => BudgetScope.BeginShare(fraction, $"share-{depth}-{c}"),
                                _ => BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 3 }, $"uncarved-{depth}-{c}"),
                            };
                        }
                        catch (BudgetExceededException)
                        {
                            return;
                        }

                        scopes.Add(child);
                        using (child)
                        {
                            await RunAsync(depth + 1, childSeed);
                        }
                    }));
                }
            }

            await Task.WhenAll(work);
        }

        async Task CallAsync(int maxOutput, bool cancel)
        {
            using var cts = new CancellationTokenSource();
            if (cancel)
            {
                cancellations[cts.Token] = cts;
            }

            try
            {
                await governed.Client.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = maxOutput }, cts.Token);
            }
            catch (Exception e) when (e is BudgetExceededException or OperationCanceledException)
            {
            }
            finally
            {
                cancellations.TryRemove(cts.Token, out _);
            }
        }
    }
}
