namespace AiCostGuard.Tests.Budgets;

public sealed class BudgetScopeTests
{
    [Fact]
    public void Invalid_limits_are_rejected_with_every_problem_listed()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => BudgetScope.Begin(new BudgetLimits { MaximumCost = 0m, MaximumInputTokens = -1 }));
        Assert.Contains("MaximumCost", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaximumInputTokens", e.Message, StringComparison.Ordinal);
        Assert.Null(BudgetScope.Current);
    }

    [Fact]
    public void Scopes_nest_and_dispose_restores_the_parent()
    {
        Assert.Null(BudgetScope.Current);
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run"))
        {
            using (BudgetScope child = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.1m }, "child"))
            {
                Assert.Same(child, BudgetScope.Current);
                Assert.Same(run, child.Parent);
            }

            Assert.Same(run, BudgetScope.Current);
        }

        Assert.Null(BudgetScope.Current);
    }

    [Fact]
    public void Limits_are_copied_when_the_scope_begins()
    {
        var limits = new BudgetLimits { MaximumCost = 1m };
        using BudgetScope scope = BudgetScope.Begin(limits);
        limits.MaximumCost = 100m;
        Assert.Equal(1m, scope.Limits.MaximumCost);
        Assert.Equal("scope", scope.Name);
    }

    [Fact]
    public async Task The_scope_flows_to_parallel_work()
    {
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "fanout");
        BudgetScope?[] seen = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await Task.Yield();
            return BudgetScope.Current;
        }));
        Assert.All(seen, s => Assert.Same(scope, s));
    }
}
