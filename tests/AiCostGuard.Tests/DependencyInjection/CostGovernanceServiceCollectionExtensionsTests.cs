using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.DependencyInjection;

public sealed class CostGovernanceServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Options_bind_from_the_AiCostGuard_section_and_the_registered_ledger_records()
    {
        using ServiceProvider provider = Build(new()
        {
            ["AiCostGuard:RequiredAttribution"] = "Team, Feature",
            ["AiCostGuard:RequestLimits:MaximumOutputTokens"] = "500",
            ["AiCostGuard:OverBudgetAction"] = "Clamp",
            ["AiCostGuard:Prices:my-finetune:InputPerMillion"] = "1",
            ["AiCostGuard:Prices:my-finetune:OutputPerMillion"] = "2",
            ["AiCostGuard:Prices:my-finetune:MaximumOutputTokens"] = "8000",
        });
        IChatClient client = provider.GetRequiredService<IChatClient>();

        await Assert.ThrowsAsync<MissingAttributionException>(() => client.GetResponseAsync(Governed.Prompt()));

        using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "summarize" }))
        {
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune" });
        }

        CostRecord record = provider.GetRequiredService<InMemoryCostLedger>().GetRecords()[^1];
        Assert.Same(provider.GetRequiredService<InMemoryCostLedger>(), provider.GetRequiredService<ICostLedger>());
        Assert.Equal(((100 * 1m) + (20 * 2m)) / 1_000_000m, record.Cost);
        Assert.Equal((BudgetDecision.Clamped, "search"), (record.Decision, record.Attribution.Team));
    }

    [Fact]
    public async Task Every_option_bound_from_configuration_reaches_the_pipeline()
    {
        using ServiceProvider provider = Build(new()
        {
            ["AiCostGuard:ModelAliases:prod-chat"] = "gpt-4o",
            ["AiCostGuard:DegradeModels:0"] = "gpt-4o",
            ["AiCostGuard:DegradeModels:1"] = "gpt-4o-mini",
            ["AiCostGuard:RunLimitAction"] = "Degrade",
        });

        await provider.GetRequiredService<IChatClient>().GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "prod-chat" });

        CostRecord record = provider.GetRequiredService<InMemoryCostLedger>().GetRecords()[^1];
        Assert.Equal(PriceCatalog.Default.Models["gpt-4o"].GetCost(new TokenUsage(100, 20)), record.Cost);
    }

    [Fact]
    public void Configuring_one_pipeline_leaves_the_registered_options_untouched()
    {
        var services = new ServiceCollection();
        services.AddCostGovernance(o => o.Prices["shared"] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 1m });
        services.AddChatClient(new FakeChatClient()).UseCostGovernance(o =>
        {
            o.Prices["only-here"] = new ModelPrice { InputPerMillion = 2m, OutputPerMillion = 2m };
            o.DegradeModels.Add("gpt-4o-mini");
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IChatClient>();

        CostGovernanceOptions registered = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;
        Assert.Equal(["shared"], registered.Prices.Keys);
        Assert.Empty(registered.DegradeModels);
    }

    [Fact]
    public void Invalid_configuration_fails_with_every_problem_listed()
    {
        using ServiceProvider provider = Build(new()
        {
            ["AiCostGuard:RequestLimits:MaximumCost"] = "-5",
            ["AiCostGuard:RequestLimits:MaximumTotalTokens"] = "0",
            ["AiCostGuard:DefaultMaximumOutputTokens"] = "0",
        });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value);
        Assert.Equal(3, e.Failures.Count());
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void Configuration_in_code_is_applied()
    {
        var services = new ServiceCollection();
        services.AddCostGovernance(o => o.UnknownModels = UnknownModelPolicy.AllowUnpriced);
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(UnknownModelPolicy.AllowUnpriced, provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.UnknownModels);
    }

    [Fact]
    public void A_null_service_collection_is_rejected() =>
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddCostGovernance());
}
