using System.Text;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Policies;

/// <summary>The README's <c>appsettings.json</c> example binds, passes the startup checks and governs calls as it says.</summary>
public sealed class PolicyConfigurationTests
{
    private static string ReadmeExample()
    {
        string? root = null;
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null && root is null; d = d.Parent)
        {
            root = File.Exists(Path.Combine(d.FullName, "AiCostGuard.sln")) ? d.FullName : null;
        }

        string readme = File.ReadAllText(Path.Combine(root ?? throw new InvalidOperationException("No AiCostGuard.sln above " + AppContext.BaseDirectory), "README.md"));
        int section = readme.IndexOf("\n## Model policies\n", StringComparison.Ordinal);
        int start = readme.IndexOf("```json\n", section, StringComparison.Ordinal) + "```json\n".Length;
        Assert.True(section >= 0 && start > section, "The README has no appsettings.json example under '## Model policies'.");
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task The_readme_example_binds_and_denies_what_it_says()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(ReadmeExample()))).Build();
        var services = new ServiceCollection();
        var ledger = new InMemoryCostLedger();
        services.AddSingleton<ICostLedger>(ledger);
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        var inner = new FakeChatClient();
        services.AddChatClient(inner).UseCostGovernance();
        await using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        CostGovernanceOptions options = provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;
        Assert.Equal(["dev-cheap", "acme-azure-only", "confidential-approved", "research-o3", "no-o3-in-dev"], options.Policies.Select(p => p.Name));
        Assert.Equal(20, options.Policies[3].CallRate!.MaximumCalls);
        Assert.Equal(TimeSpan.FromHours(1), options.Policies[3].CallRate!.Window);
        Assert.Equal("confidential", options.Policies[2].Match.Tags["data"]);
        Assert.Equal(EnforcementMode.Shadow, options.Policies[4].Mode);

        IChatClient client = provider.GetRequiredService<IChatClient>();
        using (CostAttribution.Begin(new CostAttribution { Tenant = "acme" }))
        {
            PolicyDeniedException denial = await Assert.ThrowsAsync<PolicyDeniedException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o" }));
            Assert.Equal("acme-azure-only", denial.PolicyName);
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "azure/prod-chat" });
        }

        using (CostAttribution.Begin(new CostAttribution { Environment = "dev" }))
        {
            Assert.Equal("dev-cheap", (await Assert.ThrowsAsync<PolicyDeniedException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o" }))).PolicyName);
        }

        Assert.Equal(1, inner.Calls);
        Assert.Equal([BudgetDecision.Denied, BudgetDecision.Allowed, BudgetDecision.Denied], ledger.GetRecords().Select(r => r.Decision));
    }
}
