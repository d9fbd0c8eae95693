namespace AiCostGuard.Tests.Budgets;

public sealed class BudgetLimitsTests
{
    [Fact]
    public void Zero_negative_and_absurd_limits_are_each_reported()
    {
        var limits = new BudgetLimits
        {
            MaximumInputTokens = 0,
            MaximumOutputTokens = -5,
            MaximumTotalTokens = BudgetLimits.LargestTokenLimit + 1,
            MaximumCost = -1m,
        };

        IReadOnlyList<string> problems = limits.Validate();
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("MaximumInputTokens", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaximumOutputTokens", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaximumTotalTokens", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaximumCost", StringComparison.Ordinal));
    }

    [Fact]
    public void Unset_limits_are_valid_and_limit_nothing()
    {
        var limits = new BudgetLimits();
        Assert.Empty(limits.Validate());
        Assert.False(limits.HasAny);
    }

    [Fact]
    public void A_cost_above_a_billion_dollars_is_absurd()
    {
        Assert.NotEmpty(new BudgetLimits { MaximumCost = 1_000_000_001m }.Validate());
        Assert.Empty(new BudgetLimits { MaximumCost = 1_000_000_000m }.Validate());
    }
}
