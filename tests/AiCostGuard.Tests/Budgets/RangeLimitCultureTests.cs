using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace AiCostGuard.Tests.Budgets;

public sealed class RangeLimitCultureTests
{
    [Fact]
    public void Every_range_written_with_a_decimal_point_parses_its_limits_in_the_invariant_culture()
    {
        // Under de-DE "0.000001" is not a number: without the flag, validating any budget throws instead of answering.
        var ranges = typeof(CostGovernanceOptions).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties())
            .Select(p => (Property: $"{p.DeclaringType!.Name}.{p.Name}", Range: p.GetCustomAttribute<RangeAttribute>()))
            .Where(r => r.Range is { Minimum: string min, Maximum: string max } && (min.Contains('.', StringComparison.Ordinal) || max.Contains('.', StringComparison.Ordinal)))
            .ToList();

        Assert.Contains(ranges, r => r.Property == "BudgetLimits.MaximumCost");
        Assert.All(ranges, r => Assert.True(r.Range!.ParseLimitsInInvariantCulture, r.Property));
    }
}
