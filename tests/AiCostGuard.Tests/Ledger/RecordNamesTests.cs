using System.Reflection;

namespace AiCostGuard.Tests.Ledger;

public sealed class RecordNamesTests
{
    /// <summary>Every enum whose values leave the process as text: on spans, metric tags and FOCUS rows.</summary>
    private static readonly Type[] Reported =
    [
        typeof(CostSource), typeof(BudgetDecision), typeof(BudgetLimitKind), typeof(CallOutcome),
        typeof(EstimatePrecision), typeof(SpendVelocityWindow), typeof(SpendVelocityAction), typeof(CallKind),
    ];

    [Fact]
    public void Every_member_of_every_reported_enum_has_a_distinct_name()
    {
        foreach (Type type in Reported)
        {
            MethodInfo name = typeof(RecordNames).GetMethod(nameof(RecordNames.Name), [type])
                ?? throw new InvalidOperationException($"{nameof(RecordNames)} has no table for {type.Name}");
            string[] names = [.. Enum.GetValues(type).Cast<object>().Select(v => (string)name.Invoke(null, [v])!)];

            Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
            Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void Every_enum_of_a_ledger_record_has_a_name_table()
    {
        // A new enum on CostRecord must be named before it can reach telemetry or an export.
        Type[] onRecord = [.. typeof(CostRecord).GetProperties().Select(p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)
            .Where(t => t.IsEnum && t.GetCustomAttribute<FlagsAttribute>() is null).Distinct()];

        Assert.NotEmpty(onRecord);
        Assert.All(onRecord, t => Assert.Contains(t, Reported));
    }

    [Fact]
    public void A_value_without_a_name_is_an_error_not_a_silent_label()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordNames.Name((BudgetLimitKind)999));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordNames.Name((BudgetDecision)999));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordNames.Name((CostSource)999));
    }

    [Fact]
    public void Run_caps_and_run_decisions_are_named_for_what_they_are()
    {
        Assert.Equal(
            ["model_calls", "tool_calls", "parallel_tool_calls", "concurrent_model_calls", "child_scopes", "duration"],
            new[] { BudgetLimitKind.ModelCalls, BudgetLimitKind.ToolCalls, BudgetLimitKind.ParallelToolCalls, BudgetLimitKind.ConcurrentModelCalls, BudgetLimitKind.ChildScopes, BudgetLimitKind.Duration }.Select(RecordNames.Name));
        Assert.Equal(
            ["degraded", "final_turn", "tools_dropped"],
            new[] { BudgetDecision.Degraded, BudgetDecision.FinalTurn, BudgetDecision.ToolsDropped }.Select(RecordNames.Name));
    }
}
