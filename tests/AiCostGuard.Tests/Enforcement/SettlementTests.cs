using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

/// <summary>Settling never loses a billed call nor keeps a hold, whatever fails after the provider answered.</summary>
public sealed class SettlementTests
{
    [Fact]
    public async Task A_response_that_cannot_be_priced_is_charged_its_reserved_worst_case_and_holds_nothing()
    {
        // Provider extras are arbitrary objects: reading this one's service tier throws after the call was billed.
        var inner = new FakeChatClient { ResponseProperties = new() { ["service_tier"] = new Hostile() } };
        var store = new CountingStore();
        var governed = new Governed(
            o =>
            {
                o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "daily", Limits = { MaximumCost = 10m } });
                o.BudgetStore = store;
            },
            inner);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");

        ChatResponse response = await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });

        CostRecord record = governed.Last;
        ModelPrice mini = PriceCatalog.Default.Models["gpt-4o-mini"];
        Assert.Equal("The answer is forty-two.", response.Text);
        Assert.Equal((CallOutcome.Succeeded, CostSource.Estimated, 100L), (record.Outcome, record.CostSource, record.OutputTokens));
        Assert.Equal(mini.GetWorstCaseCost(record.InputTokens, 100), record.Cost);
        Assert.Equal((record.Cost, default(BudgetUsage)), (run.Spent.Cost, run.Reserved));
        Assert.Equal((1, 1, record.Cost), (store.Reserved, store.Committed, store.CommittedCost));
    }

    [Fact]
    public async Task A_ledger_that_throws_does_not_fail_a_billed_call_nor_keep_its_budgets_held()
    {
        var ledger = new ThrowingLedger();
        IChatClient client = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance(o => o.Ledger = ledger).Build();
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");

        ChatResponse response = await client.GetResponseAsync(Governed.Prompt());

        Assert.Equal("The answer is forty-two.", response.Text);
        Assert.Equal(1, ledger.Attempts);
        Assert.True(run.Spent.Cost > 0);
        Assert.Equal(default, run.Reserved);
    }

    private sealed class Hostile
    {
        public override string ToString() => throw new InvalidOperationException("not a tier");
    }

    private sealed class CountingStore : IBudgetStore
    {
        private readonly InMemoryBudgetStore _store = new();

        public int Reserved { get; private set; }

        public int Committed { get; private set; }

        public decimal CommittedCost { get; private set; }

        public async ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default)
        {
            BudgetReservation answer = await _store.TryReserveAsync(window, reservationId, amount, limits, cancellationToken);
            Reserved += answer.IsReserved ? 1 : 0;
            return answer;
        }

        public ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default)
        {
            Committed++;
            CommittedCost += actual.Cost;
            return _store.CommitAsync(window, reservationId, actual, cancellationToken);
        }

        public ValueTask<BudgetWindowUsage> GetUsageAsync(BudgetWindow window, CancellationToken cancellationToken = default) => _store.GetUsageAsync(window, cancellationToken);
    }

    private sealed class ThrowingLedger : ICostLedger
    {
        public int Attempts { get; private set; }

        public void Record(in CostRecord record)
        {
            Attempts++;
            throw new IOException("disk gone");
        }
    }
}
