using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Globalization;

/// <summary>Comma-decimal and right-to-left cultures: every construction starts and every number reads the same.</summary>
public sealed class CultureInvarianceTests
{
    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public async Task A_governed_client_with_cost_ceilings_builds_validates_and_prices_under_the_current_culture()
    {
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumCost = 0.05m;
            o.SpendVelocity.Add(new SpendVelocityRule { Name = "runaway", Dimensions = AttributionDimensions.Team, MaximumCost = 0.5m });
            o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "daily", Period = BudgetPeriod.Daily, Dimensions = AttributionDimensions.Team, Limits = { MaximumCost = 2.5m } });
        });
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.25m }, "run"))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
            Assert.True(run.Spent.Cost > 0);
        }

        Assert.Equal(BudgetDecision.Allowed, governed.Last.Decision);
    }

    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public void Out_of_range_costs_are_still_reported_under_the_current_culture()
    {
        var options = new CostGovernanceOptions { RequestLimits = { MaximumCost = 0.0000001m } };
        Assert.Contains(options.Validate(), p => p.StartsWith("RequestLimits.MaximumCost", StringComparison.Ordinal));
    }

    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public void Options_bound_from_configuration_validate_at_startup_under_the_current_culture()
    {
        var json = """{ "AiCostGuard": { "RequestLimits": { "MaximumCost": 0.05 }, "Prices": { "mine": { "InputPerMillion": 1.25, "OutputPerMillion": 2.5 } } } }""";
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();

        CostGovernanceOptions options = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;

        Assert.Equal(0.05m, options.RequestLimits.MaximumCost);
        Assert.Equal(1.25m, options.Prices["mine"].InputPerMillion);
    }

    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public void Limits_and_price_errors_print_numbers_with_a_decimal_point()
    {
        Assert.EndsWith("cost ≤ $0.05", new BudgetLimits { MaximumCost = 0.05m }.ToString(), StringComparison.Ordinal);

        ArgumentException bad = Assert.Throws<ArgumentException>(() => PriceCatalog.Default.WithOverrides([new("mine", new ModelPrice { InputPerMillion = -1.5m, OutputPerMillion = 2.5m })]));
        Assert.Contains("input -1.5,", bad.Message, StringComparison.Ordinal);
        Assert.Contains("output 2.5)", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_range_given_as_text_is_read_in_the_invariant_culture()
    {
        Assembly[] libraries = [typeof(CostGovernanceOptions).Assembly];
        var ranges = (
            from type in libraries.SelectMany(a => a.GetTypes())
            from property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            from range in property.GetCustomAttributes<ValidationAttribute>()
            where range is DecimalRangeAttribute or TimeSpanRangeAttribute or RangeAttribute { Minimum: string }
            select (Name: $"{type.Name}.{property.Name}", range)).ToList();

        Assert.NotEmpty(ranges);
        Assert.All(ranges, r => Assert.False(r.range is RangeAttribute, $"{r.Name}: a RangeAttribute given text reads it through a type converter"));
        Assert.Equal(1.5m, new DecimalRangeAttribute("1.5", "2.5").Minimum);
        Assert.Equal(TimeSpan.FromMilliseconds(1.5), new TimeSpanRangeAttribute("00:00:00.0015", "00:00:01").Minimum);
    }
}
