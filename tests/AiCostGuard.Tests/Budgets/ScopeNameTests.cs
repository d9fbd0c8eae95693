namespace AiCostGuard.Tests.Budgets;

public sealed class ScopeNameTests
{
    public static TheoryData<string> BadNames =>
    [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1+1",
        "-A1+A2",
        "@A1",
        "run\u001b[31m",
        "run\u0007",
        "\u202Egnp.exe",
        "line\r\nbreak",
        new string('a', AttributionValue.MaximumLength + 1),
        " padded",
    ];

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Begin_rejects_a_bad_scope_name_and_leaves_no_scope_behind(string name)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, name));

        Assert.Equal("name", e.ParamName);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\u202E', e.Message);
        Assert.Null(BudgetScope.Current);
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void BeginShare_rejects_a_bad_scope_name_before_carving_anything(string name)
    {
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m, MaximumChildScopes = 1 }, "parent");

        Assert.Throws<ArgumentException>(() => BudgetScope.BeginShare(0.5m, name));

        Assert.Same(parent, BudgetScope.Current);
        Assert.Equal(1m, parent.RemainingCost);
        using BudgetScope child = BudgetScope.BeginShare(0.5m, "child");
        Assert.Equal("child", child.Name);
    }

    [Fact]
    public void A_scope_without_a_name_is_called_scope_and_a_valid_name_is_kept()
    {
        using (BudgetScope unnamed = BudgetScope.Begin(new BudgetLimits()))
        {
            Assert.Equal("scope", unnamed.Name);
        }

        using BudgetScope named = BudgetScope.Begin(new BudgetLimits(), "nightly-digest v2");
        Assert.Equal("nightly-digest v2", named.Name);
    }
}
