using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Budgets.Tiers;

/// <summary>Tiers bind from <c>appsettings.json</c> with the checked binding, and a tier that is wrong fails startup naming its budget.</summary>
public sealed class BudgetTierConfigurationTests
{
    private static ServiceProvider Start(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        return services.BuildServiceProvider();
    }

    private static OptionsValidationException StartupFailure(string json)
    {
        using ServiceProvider provider = Start(json);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    private static string Budget(string tiers, string extra = "") =>
        $$"""{ "AiCostGuard": { "PeriodBudgets": [ { "Name": "team-monthly", "Dimensions": "Team", {{extra}} "Limits": { "MaximumCost": 500 }, "Tiers": [ {{tiers}} ] } ] } }""";

    /// <summary>The <c>appsettings.json</c> block of the README's "Budget tiers and soft budgets" section.</summary>
    private static string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        int section = readme.IndexOf("### Budget tiers and soft budgets", StringComparison.Ordinal);
        int start = readme.IndexOf("```json\n", section, StringComparison.Ordinal) + "```json\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task The_readme_example_binds_validates_and_governs()
    {
        using ServiceProvider provider = Start(ReadmeExample());
        provider.GetRequiredService<IStartupValidator>().Validate();
        CostGovernanceOptions options = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;

        PeriodBudgetOptions budget = Assert.Single(options.PeriodBudgets);
        Assert.Equal(
            [(50d, BudgetTierAction.Notify), (80d, BudgetTierAction.LowerReasoningEffort), (90d, BudgetTierAction.Degrade), (95d, BudgetTierAction.DropTools), (100d, BudgetTierAction.Refuse)],
            budget.Tiers.Select(t => (t.Percent, t.Action)));
        Assert.Equal(ReasoningEffort.Low, budget.Tiers[1].ReasoningEffort);
        Assert.True(budget.EnforceLimits);

        IChatClient client = new ChatClientBuilder(new Fakes.FakeChatClient { ModelId = "gpt-5" }).UseCostGovernance().Build(provider);
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });
        }
    }

    [Fact]
    public void A_soft_budget_binds_with_tiers_beyond_its_ceiling()
    {
        using ServiceProvider provider = Start(Budget("""{ "Percent": 150, "Action": "Refuse" }""", """ "EnforceLimits": false, """));
        provider.GetRequiredService<IStartupValidator>().Validate();

        PeriodBudgetOptions budget = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.PeriodBudgets[0];
        Assert.Equal((false, 150d), (budget.EnforceLimits, budget.Tiers[0].Percent));
    }

    [Theory]
    [InlineData("""{ "Percnt": 50 }""", "AiCostGuard:PeriodBudgets:0:Tiers:0:Percnt", "Percent")]
    [InlineData("""{ "Percent": 50, "Acton": "Refuse" }""", "AiCostGuard:PeriodBudgets:0:Tiers:0:Acton", "Action")]
    public void A_typo_in_a_tier_fails_startup_naming_the_key(string tier, string path, string meant)
    {
        OptionsValidationException e = StartupFailure(Budget(tier));

        string problem = Assert.Single(e.Failures, f => f.StartsWith(path + ":", StringComparison.Ordinal));
        Assert.Contains($"did you mean '{meant}'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Percent": 50, "Action": "Refuze" }""", "AiCostGuard:PeriodBudgets:0:Tiers:0:Action")]
    [InlineData("""{ "Percent": "half" }""", "AiCostGuard:PeriodBudgets:0:Tiers:0:Percent")]
    [InlineData("""{ "Percent": 50, "Action": "LowerReasoningEffort", "ReasoningEffort": "Lowest" }""", "AiCostGuard:PeriodBudgets:0:Tiers:0:ReasoningEffort")]
    public void A_value_a_tier_cannot_take_fails_startup_naming_the_key(string tier, string path)
    {
        OptionsValidationException e = StartupFailure(Budget(tier));

        Assert.Single(e.Failures, f => f.StartsWith(path + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "Percent": 0 }""", "Tiers of budget 'team-monthly'[0].Percent: The share must be above 0")]
    [InlineData("""{ "Percent": -5 }""", "Tiers of budget 'team-monthly'[0].Percent: The share must be above 0")]
    [InlineData("""{ "Percent": 1001 }""", "Tiers of budget 'team-monthly'[0].Percent: The share must be above 0 and at most 1000 percent.")]
    [InlineData("""{ "Percent": 120 }""", "Tiers of budget 'team-monthly'[0].Percent: 120 % can never be reached while the budget's ceilings are enforced")]
    [InlineData("""{ "Percent": 80 }, { "Percent": 80, "Action": "DropTools" }""", "Tiers of budget 'team-monthly'[1].Percent: 80 % is also the share of tier [0]")]
    [InlineData("""{ "Percent": 90, "Action": "Refuse" }, { "Percent": 95 }""", "Tiers of budget 'team-monthly'[1]: the 90 % tier [0] already refuses every call, so the 95 % tier can never act.")]
    [InlineData("""{ "Percent": 95 }, { "Percent": 80, "Action": "Refuse" }""", "Tiers of budget 'team-monthly'[0]: the 80 % tier [1] already refuses every call, so the 95 % tier can never act.")]
    [InlineData("""{ "Percent": 50, "Action": "DropTools" }, { "Percent": 80, "Action": "DropTools" }""", "Tiers of budget 'team-monthly'[1]: the 80 % tier repeats DropTools, which already applies from the 50 % tier [0]")]
    [InlineData("""{ "Percent": 50, "Action": "LowerReasoningEffort", "ReasoningEffort": "Low" }, { "Percent": 80, "Action": "LowerReasoningEffort", "ReasoningEffort": "Medium" }""", "Tiers of budget 'team-monthly'[1]: the 80 % tier lowers the effort to Medium, not below the Low of the 50 % tier [0]")]
    [InlineData("""{ "Percent": 50, "Action": "Degrade" }""", "Tiers of budget 'team-monthly': a tier degrades calls but DegradeModels is empty.")]
    public void A_tier_that_can_never_act_or_contradicts_another_fails_startup_naming_its_budget(string tiers, string problem)
    {
        OptionsValidationException e = StartupFailure(Budget(tiers));

        Assert.Contains(e.Failures, f => f.Contains("PeriodBudgets[0]." + problem, StringComparison.Ordinal));
    }

    [Fact]
    public void A_soft_budget_without_tiers_and_too_many_tiers_fail_startup()
    {
        var options = new CostGovernanceOptions();
        var soft = new PeriodBudgetOptions { Name = "soft", EnforceLimits = false, Limits = { MaximumCost = 1m } };
        var crowded = new PeriodBudgetOptions { Name = "crowded", Limits = { MaximumCost = 1m } };
        for (int i = 1; i <= PeriodBudgetOptions.MaximumTiers + 1; i++)
        {
            crowded.Tiers.Add(new BudgetTier { Percent = i });
        }

        options.PeriodBudgets.Add(soft);
        options.PeriodBudgets.Add(crowded);
        IReadOnlyList<string> problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("PeriodBudgets[0].EnforceLimits: budget 'soft' enforces no ceiling and has no tier", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PeriodBudgets[1].Tiers of budget 'crowded': 17 tiers, at most 16", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_listed_in_one_exception_and_a_client_cannot_be_built()
    {
        var options = new CostGovernanceOptions();
        var budget = new PeriodBudgetOptions { Name = "team-monthly", Limits = { MaximumCost = 1m } };
        budget.Tiers.Add(new BudgetTier { Percent = 0 });
        budget.Tiers.Add(new BudgetTier { Percent = 50, Action = (BudgetTierAction)9 });
        budget.Tiers.Add(null!);
        options.PeriodBudgets.Add(budget);

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new CostGovernanceChatClient(new Fakes.FakeChatClient(), options));

        Assert.Contains(e.Failures, f => f.Contains("[0].Percent", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("[1].Action: '9' is not one of Notify, LowerReasoningEffort, Degrade, DropTools, Refuse.", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("Tiers of budget 'team-monthly'[2]: the tier is missing.", StringComparison.Ordinal));
    }

    [CulturedFact(["de-DE", "fr-FR", "ar-SA"])]
    public void A_fractional_share_binds_and_names_its_tier_the_same_under_every_culture()
    {
        using ServiceProvider provider = Start(Budget("""{ "Percent": 33.5 }"""));
        provider.GetRequiredService<IStartupValidator>().Validate();

        BudgetTier tier = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.PeriodBudgets[0].Tiers[0];

        Assert.Equal((33.5, "team-monthly@33.5"), (tier.Percent, tier.NameIn("team-monthly")));
    }
}
