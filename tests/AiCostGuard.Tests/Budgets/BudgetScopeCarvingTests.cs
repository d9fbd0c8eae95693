using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Budgets;

public sealed class BudgetScopeCarvingTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];
    private static readonly decimal CallCost = Mini.GetCost(new TokenUsage(100, 20));

    [Fact]
    public async Task A_child_carves_its_cost_ceiling_spends_it_into_the_parent_and_returns_what_is_left()
    {
        var governed = new Governed();
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "workflow");
        using (BudgetScope child = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.3m }, "sub-agent"))
        {
            Assert.Equal(0.3m, parent.Reserved.Cost);
            Assert.Equal(0.7m, parent.RemainingCost);

            await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });

            Assert.Equal(CallCost, child.Spent.Cost);
            Assert.Equal(CallCost, parent.Spent.Cost);
            Assert.Equal(0.3m - CallCost, parent.Reserved.Cost);
            Assert.Equal(0.7m, parent.RemainingCost);
        }

        Assert.Equal(0m, parent.Reserved.Cost);
        Assert.Equal(1m - CallCost, parent.RemainingCost);
    }

    [Fact]
    public async Task A_carve_larger_than_what_the_parent_has_left_is_refused_and_changes_nothing()
    {
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "workflow");
        BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.8m }, "finished").Dispose();

        // A sibling still running in another flow holds its carve.
        BudgetScope running = await Task.Run(() => BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.6m }, "running"));
        Assert.Same(parent, BudgetScope.Current);

        BudgetExceededException e = Assert.Throws<BudgetExceededException>(() => BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.5m }, "greedy"));

        Assert.Equal((BudgetLimitKind.Cost, 1m, 0.6m, 0.5m, "workflow"), (e.LimitKind, e.Limit, e.Spent, e.Requested, e.BudgetName));
        Assert.Same(parent, BudgetScope.Current);
        Assert.Equal(2, parent.ChildCount);
        Assert.Equal(0.6m, parent.Reserved.Cost);
        running.Dispose();
        Assert.Equal(0m, parent.Reserved.Cost);
    }

    [Fact]
    public void A_share_carves_that_fraction_of_what_remains()
    {
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "workflow");
        using BudgetScope first = BudgetScope.BeginShare(0.5m, "first");
        Assert.Equal(0.5m, first.Limits.MaximumCost);

        // Begun inside the first child, a share is carved from the first child.
        using BudgetScope nested = BudgetScope.BeginShare(0.5m, "nested");
        Assert.Equal(0.25m, nested.Limits.MaximumCost);
        Assert.Equal(0.25m, first.Reserved.Cost);
        Assert.Equal(0.5m, parent.Reserved.Cost);
    }

    [Fact]
    public void A_share_needs_an_enclosing_cost_ceiling_and_a_valid_fraction()
    {
        Assert.Throws<InvalidOperationException>(() => BudgetScope.BeginShare(0.5m));
        using (BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 5 }))
        {
            Assert.Throws<InvalidOperationException>(() => BudgetScope.BeginShare(0.5m));
        }

        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });
        Assert.Throws<ArgumentOutOfRangeException>(() => BudgetScope.BeginShare(0m));
        Assert.Throws<ArgumentOutOfRangeException>(() => BudgetScope.BeginShare(1.5m));
    }

    [Fact]
    public async Task Carves_nest_and_every_level_sees_the_spend()
    {
        var governed = new Governed();
        using BudgetScope root = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "root");
        using BudgetScope middle = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.5m }, "middle");
        using (BudgetScope leaf = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.1m }, "leaf"))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });
            Assert.Equal((CallCost, CallCost, CallCost), (leaf.Spent.Cost, middle.Spent.Cost, root.Spent.Cost));
            Assert.Equal(0.1m - CallCost, middle.Reserved.Cost);
            Assert.Equal(0.5m - CallCost, root.Reserved.Cost);
        }

        Assert.Equal(0m, middle.Reserved.Cost);
        Assert.Equal(0.5m - CallCost, root.Reserved.Cost);
        middle.Dispose();
        Assert.Equal(0m, root.Reserved.Cost);
        Assert.Equal(CallCost, root.Spent.Cost);
    }

    [Fact]
    public async Task A_call_in_a_carved_child_is_bounded_by_the_carve_not_by_the_parent()
    {
        var governed = new Governed();
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "workflow");
        using BudgetScope child = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0001m }, "sub-agent");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1000 }));
        Assert.Equal("sub-agent", e.BudgetName);
    }

    [Fact]
    public void The_child_scope_cap_refuses_one_child_too_many()
    {
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumChildScopes = 2 }, "planner");
        BudgetScope.Begin(new BudgetLimits(), "a").Dispose();
        BudgetScope.Begin(new BudgetLimits(), "b").Dispose();

        BudgetExceededException e = Assert.Throws<BudgetExceededException>(() => BudgetScope.Begin(new BudgetLimits(), "c"));
        Assert.Equal((BudgetLimitKind.ChildScopes, 2m, "planner"), (e.LimitKind, e.Limit, e.BudgetName));
        Assert.Same(parent, BudgetScope.Current);
    }

    [Fact]
    public async Task Token_ceilings_and_step_caps_nest_without_carving()
    {
        var governed = new Governed();
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 2 }, "workflow");
        using BudgetScope child = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 10 }, "sub-agent");
        await governed.Client.GetResponseAsync(Governed.Prompt());
        await governed.Client.GetResponseAsync(Governed.Prompt());

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
        Assert.Equal((BudgetLimitKind.ModelCalls, "workflow"), (e.LimitKind, e.BudgetName));
        Assert.Equal((2L, 2L), (parent.ModelCallCount, child.ModelCallCount));
    }
}
