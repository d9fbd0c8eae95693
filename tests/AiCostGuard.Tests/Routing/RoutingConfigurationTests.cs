using System.Text;
using System.Text.RegularExpressions;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Routing;

/// <summary>The README's <c>appsettings.json</c> example of routing binds, and routes as it says.</summary>
public sealed partial class RoutingConfigurationTests
{
    [GeneratedRegex("## Cost-aware routing.*?```json\\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex RoutingExample();

    private static string ReadmeExample()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "AiCostGuard.sln")))
            {
                Match match = RoutingExample().Match(File.ReadAllText(Path.Combine(d.FullName, "README.md")).ReplaceLineEndings("\n"));
                Assert.True(match.Success, "README.md has no ```json block in its Cost-aware routing section");
                return match.Groups["json"].Value;
            }
        }

        throw new InvalidOperationException("The repository root (AiCostGuard.sln) is not above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task The_readme_example_binds_and_routes_by_cost_context_and_capabilities()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(ReadmeExample()))).Build();
        var services = new ServiceCollection();
        var ledger = new InMemoryCostLedger();
        services.AddSingleton<ICostLedger>(ledger);
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        var inner = new FakeChatClient();
        services.AddChatClient(inner).UseCostGovernance();
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        ModelRoute route = Assert.Single(provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.Routes);
        Assert.Equal("chat", route.Name);
        Assert.Equal(["gpt-4.1-nano", "gpt-4o-mini", "claude-haiku-4-5", "my-finetune"], route.Candidates.Select(c => c.ModelId));
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.JsonSchema, route.Candidates[3].Capabilities);

        IChatClient client = provider.GetRequiredService<IChatClient>();
        await client.GetResponseAsync("Summarize: the meeting moved to Tuesday.", new ChatOptions { ModelId = "auto", MaxOutputTokens = 200 });
        await client.GetResponseAsync("Look at this chart.", new ChatOptions { ModelId = "auto", MaxOutputTokens = 200, Tools = [AIFunctionFactory.Create(() => 1, "lookup")] });
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is in it?"), new DataContent(Estimation.MediaSamples.Png(64, 64), "image/png")])], new ChatOptions { ModelId = "auto", MaxOutputTokens = 200 });

        // The fine-tune is cheapest but takes no images; of the others gpt-4.1-nano is cheapest.
        Assert.Equal(["my-finetune", "my-finetune", "gpt-4.1-nano"], inner.ReceivedOptions.Select(o => o!.ModelId));
        Assert.All(ledger.GetRecords(), r => Assert.Equal("auto", r.RequestedModelId));
    }
}
