namespace AiCostGuard.Tests.Ledger;

public sealed class InMemoryCostLedgerTests
{
    [Fact]
    public void A_full_ledger_keeps_the_newest_records_in_order_and_counts_the_overwritten()
    {
        var ledger = new InMemoryCostLedger(capacity: 3);
        for (int i = 1; i <= 5; i++)
        {
            ledger.Record(new CostRecord { InputTokens = i });
        }

        Assert.Equal([3L, 4L, 5L], ledger.GetRecords().Select(r => r.InputTokens));
        Assert.Equal(5, ledger.TotalRecorded);
        Assert.Equal(2, ledger.OverwrittenCount);
    }

    [Fact]
    public void Storage_grows_as_records_arrive_and_wraps_at_capacity()
    {
        var ledger = new InMemoryCostLedger(capacity: 100);
        for (int i = 1; i <= 150; i++)
        {
            ledger.Record(new CostRecord { InputTokens = i });
        }

        Assert.Equal(Enumerable.Range(51, 100).Select(i => (long)i), ledger.GetRecords().Select(r => r.InputTokens));
        Assert.Equal(50, ledger.OverwrittenCount);
    }

    [Fact]
    public void Clear_empties_the_ledger()
    {
        var ledger = new InMemoryCostLedger();
        ledger.Record(new CostRecord { InputTokens = 1 });
        ledger.Clear();
        Assert.Empty(ledger.GetRecords());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100_000_001)]
    public void An_invalid_capacity_is_rejected(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCostLedger(capacity));

    [Fact]
    public void Concurrent_records_are_all_kept()
    {
        var ledger = new InMemoryCostLedger(10_000);
        Parallel.For(0, 10_000, i => ledger.Record(new CostRecord { InputTokens = i }));
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (long)i), ledger.GetRecords().Select(r => r.InputTokens).Order());
    }
}
