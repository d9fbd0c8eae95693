using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace AiCostGuard.Tests.Budgets;

public sealed class RangeLimitCultureTests
{
    [Fact]
    public void Every_range_written_as_text_parses_its_limits_in_the_invariant_culture()
    {
        // Under de-DE "0.000001" is not a number: a range read in the current culture would throw instead of answering.
        // Ranges given as text are the library's own invariant ones; a RangeAttribute given text would go through a type converter.
        PropertyInfo[] properties = [.. typeof(CostGovernanceOptions).Assembly.GetTypes().SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))];
        Assert.DoesNotContain(properties, p => p.GetCustomAttribute<RangeAttribute>() is { Minimum: string });

        DecimalRangeAttribute cost = typeof(BudgetLimits).GetProperty(nameof(BudgetLimits.MaximumCost))!.GetCustomAttribute<DecimalRangeAttribute>()!;
        Assert.Equal((0.000001m, 1_000_000_000m), (cost.Minimum, cost.Maximum));
        TimeSpanRangeAttribute duration = typeof(BudgetLimits).GetProperty(nameof(BudgetLimits.MaximumDuration))!.GetCustomAttribute<TimeSpanRangeAttribute>()!;
        Assert.Equal((TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(365)), (duration.Minimum, duration.Maximum));
        Assert.Contains("MaximumCost: The field MaximumCost must be between 0.000001 and 1000000000.", new BudgetLimits { MaximumCost = 0m }.Validate());
    }
}
