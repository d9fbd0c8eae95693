using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.DependencyInjection;

/// <summary>A typo in <c>appsettings.json</c> is a startup error naming the key, never a control silently switched off.</summary>
public sealed class ConfigurationTypoTests
{
    private static ServiceProvider Start(string json, Action<CostGovernanceOptions>? configure = null)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName), configure);
        return services.BuildServiceProvider();
    }

    /// <summary>What a host does when it starts: run every <c>ValidateOnStart</c> validation.</summary>
    private static OptionsValidationException StartupFailure(string json)
    {
        using ServiceProvider provider = Start(json);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Theory]
    [InlineData("""{ "AiCostGuard": { "RequestLimits": { "MaximumCots": 0.05 } } }""", "AiCostGuard:RequestLimits:MaximumCots", "MaximumCost")]
    [InlineData("""{ "AiCostGuard": { "RequestLimit": { "MaximumCost": 0.05 } } }""", "AiCostGuard:RequestLimit", "RequestLimits")]
    [InlineData("""{ "AiCostGuard": { "RequiredAtribution": "Team, Feature" } }""", "AiCostGuard:RequiredAtribution", "RequiredAttribution")]
    [InlineData("""{ "AiCostGuard": { "Prices": { "mine": { "InputPerMilion": 3.0, "OutputPerMillion": 12.0 } } } }""", "AiCostGuard:Prices:mine:InputPerMilion", "InputPerMillion")]
    [InlineData("""{ "AiCostGuard": { "Telemetry": { "EnableBagage": true } } }""", "AiCostGuard:Telemetry:EnableBagage", "EnableBaggage")]
    [InlineData("""{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "team-monthly", "Dimensions": "Team", "Limits": { "MaximumCots": 500 } } ] } }""", "AiCostGuard:PeriodBudgets:0:Limits:MaximumCots", "MaximumCost")]
    public void An_unknown_key_fails_startup_naming_it_and_the_setting_it_resembles(string json, string path, string meant)
    {
        OptionsValidationException e = StartupFailure(json);

        string problem = Assert.Single(e.Failures, f => f.StartsWith(path + ":", StringComparison.Ordinal));
        Assert.Contains($"did you mean '{meant}'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "AiCostGuard": { "RequestLimits": { "MaximumCost": "five cents" } } }""", "AiCostGuard:RequestLimits:MaximumCost")]
    [InlineData("""{ "AiCostGuard": { "OverBudgetAction": "Clampp" } }""", "AiCostGuard:OverBudgetAction")]
    [InlineData("""{ "AiCostGuard": { "RequiredAttribution": "Team, Feture" } }""", "AiCostGuard:RequiredAttribution")]
    [InlineData("""{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "team-monthly", "Period": "Montly", "Dimensions": "Team", "Limits": { "MaximumCost": 500 } } ] } }""", "AiCostGuard:PeriodBudgets:0:Period")]
    [InlineData("""{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "team-monthly", "Dimensions": "Team", "Limits": { "MaximumCost": "500 USD" } } ] } }""", "AiCostGuard:PeriodBudgets:0:Limits:MaximumCost")]
    [InlineData("""{ "AiCostGuard": { "SpendVelocity": [ { "Name": "runaway", "Dimensions": "Team", "Window": "Minutes", "MaximumCost": 2 } ] } }""", "AiCostGuard:SpendVelocity:0:Window")]
    [InlineData("""{ "AiCostGuard": { "SpendVelocity": [ { "Name": "runaway", "Dimensions": "Team", "MaximumCost": 2, "MaximumThrottleWait": "ten seconds" } ] } }""", "AiCostGuard:SpendVelocity:0:MaximumThrottleWait")]
    [InlineData("""{ "AiCostGuard": { "RequestLimits": 0.05 } }""", "AiCostGuard:RequestLimits")]
    [InlineData("""{ "AiCostGuard": { "Ledger": { "Directory": "/var/lib/ledger" } } }""", "AiCostGuard:Ledger")]
    public void A_value_the_setting_cannot_take_fails_startup_naming_the_key_also_inside_a_list_item(string json, string path)
    {
        OptionsValidationException e = StartupFailure(json);

        Assert.Single(e.Failures, f => f.StartsWith(path + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_listed_in_one_exception_typos_bad_values_and_invalid_limits_together()
    {
        OptionsValidationException e = StartupFailure("""
            {
              "AiCostGuard": {
                "RequiredAtribution": "Team",
                "OverBudgetAction": "Clampp",
                "RequestLimits": { "MaximumCots": 0.05, "MaximumOutputTokens": -1 },
                "Telemetry": { "EnableBagage": true },
                "SpendVelocity": [ { "Name": "runaway", "Dimensions": "Team", "Window": "Minutes", "MaximumCost": 2 } ]
              }
            }
            """);

        Assert.Equal(
            ["AiCostGuard:OverBudgetAction", "AiCostGuard:RequestLimits:MaximumCots", "AiCostGuard:RequiredAtribution", "AiCostGuard:SpendVelocity:0:Window", "AiCostGuard:Telemetry:EnableBagage", "RequestLimits.MaximumOutputTokens"],
            e.Failures.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_valid_section_in_any_letter_case_binds_every_setting_including_list_items()
    {
        using ServiceProvider provider = Start("""
            {
              "AiCostGuard": {
                "requiredAttribution": "Team, Feature",
                "RequestLimits": { "maximumcost": 0.05 },
                "Prices": { "mine": { "InputPerMillion": 3.0, "OutputPerMillion": 12.0, "LongContextTiers": [ { "AboveInputTokens": 200000, "InputPerMillion": 6.0, "OutputPerMillion": 18.0 } ] } },
                "Telemetry": { "EnableBaggage": true, "MetricTeams": [ "search" ] },
                "PeriodBudgets": [ { "Name": "team-monthly", "Period": "Monthly", "Dimensions": "Team", "TimeZone": "Europe/Paris", "Limits": { "MaximumCost": 500 } } ],
                "SpendVelocity": [ { "Name": "runaway", "Dimensions": "Team", "Window": "Minute", "MaximumCost": 2, "MaximumThrottleWait": "00:00:10" } ]
              }
            }
            """);

        provider.GetRequiredService<IStartupValidator>().Validate();
        CostGovernanceOptions o = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;

        Assert.Equal(AttributionDimensions.Team | AttributionDimensions.Feature, o.RequiredAttribution);
        Assert.Equal(0.05m, o.RequestLimits.MaximumCost);
        Assert.Equal(6.0m, Assert.Single(o.Prices["mine"].LongContextTiers!).InputPerMillion);
        Assert.True(o.Telemetry.EnableBaggage);
        Assert.Equal(["search"], o.Telemetry.MetricTeams);
        Assert.Equal(500m, Assert.Single(o.PeriodBudgets).Limits.MaximumCost);
        Assert.Equal(TimeSpan.FromSeconds(10), Assert.Single(o.SpendVelocity).MaximumThrottleWait);
    }
}
