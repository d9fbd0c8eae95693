using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiCostGuard.Tests.DependencyInjection;

public sealed class OptionsReloadTests
{
    private const string Ceiling = "AiCostGuard:RequestLimits:MaximumCost";

    [Fact]
    public async Task Limits_follow_a_configuration_reload_and_an_invalid_reload_keeps_the_last_valid_ones()
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [Ceiling] = "1" });
        var logger = new ListLogger<CostGovernanceChatClient>();
        using ServiceProvider provider = Build(configuration, logger);
        IChatClient client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync(Governed.Prompt());

        Reload(configuration, Ceiling, "0.000001");
        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt()));
        Assert.Equal((BudgetLimitKind.Cost, "request", 0.000001m, (DateTimeOffset?)null), (refused.LimitKind, refused.BudgetName, refused.Limit, refused.RetryAt));

        Reload(configuration, Ceiling, "-5");
        string message = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error).Message;
        Assert.Contains("MaximumCost", message, StringComparison.Ordinal);
        Assert.Contains("the last valid options stay in force", message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt()));

        Reload(configuration, Ceiling, "1");
        Assert.Equal(LogLevel.Information, logger.Entries[^1].Level);
        await client.GetResponseAsync(Governed.Prompt());

        // A typo is as invalid on reload as at startup.
        Reload(configuration, "AiCostGuard:RequestLimits:MaximumCots", "0.000001");
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Error));
        Assert.Contains("did you mean 'MaximumCost'", logger.Entries[^1].Message, StringComparison.Ordinal);
        await client.GetResponseAsync(Governed.Prompt());
    }

    [Fact]
    public async Task A_reload_keeps_what_the_period_budgets_have_spent()
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiCostGuard:PeriodBudgets:0:Name"] = "team-daily",
            ["AiCostGuard:PeriodBudgets:0:Dimensions"] = "Team",
            ["AiCostGuard:PeriodBudgets:0:Period"] = "Daily",
            ["AiCostGuard:PeriodBudgets:0:Limits:MaximumCost"] = "1",
        });
        using ServiceProvider provider = Build(configuration, new ListLogger<CostGovernanceChatClient>());
        IChatClient client = provider.GetRequiredService<IChatClient>();
        using var team = CostAttribution.Begin(new CostAttribution { Team = "search" });
        for (int i = 0; i < 3; i++)
        {
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 20 });
        }

        decimal spent = provider.GetRequiredService<InMemoryCostLedger>().GetRecords().Sum(r => r.Cost);

        // A new limit between two calls' spend and three: only the spend kept across the reload refuses the next call.
        Reload(configuration, "AiCostGuard:PeriodBudgets:0:Limits:MaximumCost", (spent * 2 / 3 + 0.000001m).ToString(System.Globalization.CultureInfo.InvariantCulture));
        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 20 }));

        Assert.Equal("team-daily|team=search", refused.BudgetName);
        Assert.Equal(spent, refused.Spent);
        Assert.NotNull(refused.RetryAt);
    }

    [Fact]
    public async Task Keyed_clients_are_governed_by_their_own_named_options()
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:batch:RequestLimits:MaximumCost"] = "0.000001",
            ["Models:interactive:RequestLimits:MaximumCost"] = "1",
        });
        var services = new ServiceCollection();
        services.AddCostGovernance("batch", configuration.GetSection("Models:batch"));
        services.AddCostGovernance("interactive", configuration.GetSection("Models:interactive"));
        services.AddKeyedChatClient("batch", new FakeChatClient()).UseCostGovernance("batch");
        services.AddKeyedChatClient("interactive", new FakeChatClient()).UseCostGovernance("interactive");
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient batch = provider.GetRequiredKeyedService<IChatClient>("batch");
        IChatClient interactive = provider.GetRequiredKeyedService<IChatClient>("interactive");

        await interactive.GetResponseAsync(Governed.Prompt());
        await Assert.ThrowsAsync<BudgetExceededException>(() => batch.GetResponseAsync(Governed.Prompt()));

        // A reload of one set leaves the other alone.
        Reload(configuration, "Models:batch:RequestLimits:MaximumCost", "1");
        Reload(configuration, "Models:interactive:RequestLimits:MaximumCost", "0.000001");
        await batch.GetResponseAsync(Governed.Prompt());
        await Assert.ThrowsAsync<BudgetExceededException>(() => interactive.GetResponseAsync(Governed.Prompt()));
        Assert.Equal(
            [BudgetDecision.Allowed, BudgetDecision.Rejected, BudgetDecision.Allowed, BudgetDecision.Rejected],
            provider.GetRequiredService<InMemoryCostLedger>().GetRecords().Select(r => r.Decision));
    }

    [Fact]
    public void Options_configured_only_in_code_give_the_governed_client_itself()
    {
        var services = new ServiceCollection();
        services.AddCostGovernance(o => o.RequestLimits.MaximumCost = 1m);
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<CostGovernanceChatClient>(provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void The_governed_client_in_force_is_found_through_the_pipeline()
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [Ceiling] = "1" });
        using ServiceProvider provider = Build(configuration, new ListLogger<CostGovernanceChatClient>());
        IChatClient client = provider.GetRequiredService<IChatClient>();
        CostGovernanceChatClient before = client.GetService<CostGovernanceChatClient>()!;

        Reload(configuration, Ceiling, "2");

        CostGovernanceChatClient after = client.GetService<CostGovernanceChatClient>()!;
        Assert.NotSame(before, after);
        Assert.Same(before.InputCalibrator, after.InputCalibrator);
        Assert.Same(before.Ledger, after.Ledger);
        Assert.Equal("fake", client.GetService<ChatClientMetadata>()?.ProviderName);
    }

    private static ServiceProvider Build(ConfigurationManager configuration, ILogger logger)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(new OneLoggerFactory(logger));
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        return services.BuildServiceProvider();
    }

    /// <summary>Changes one setting and reloads, as an edited appsettings.json does.</summary>
    private static void Reload(ConfigurationManager configuration, string key, string value)
    {
        configuration[key] = value;
        ((IConfigurationRoot)configuration).Reload();
    }

    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
