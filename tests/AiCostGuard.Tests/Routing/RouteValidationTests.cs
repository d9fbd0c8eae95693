using System.Text;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Routing;

/// <summary>A route that could never work is a startup error naming it, with every other problem, never a silent pick.</summary>
public sealed class RouteValidationTests
{
    private static OptionsValidationException Invalid(params ModelRoute[] routes) =>
        Assert.Throws<OptionsValidationException>(() => new CostGovernanceChatClient(new FakeChatClient(), Options(routes)));

    private static CostGovernanceOptions Options(params ModelRoute[] routes)
    {
        var options = new CostGovernanceOptions();
        foreach (ModelRoute route in routes)
        {
            options.Routes.Add(route);
        }

        return options;
    }

    [Fact]
    public void A_candidate_the_catalog_does_not_price_is_an_error_naming_the_route_and_the_model()
    {
        OptionsValidationException e = Invalid(new ModelRoute { Name = "chat", Candidates = { new() { ModelId = "gpt-4o-mini" }, new() { ModelId = "gpt-9-ultra" } } });

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Routes[0] ('chat').Candidates[1]: 'gpt-9-ultra' has no price in the catalog", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_set_with_no_priced_model_says_so()
    {
        OptionsValidationException e = Invalid(new ModelRoute { Name = "chat", Candidates = { new() { ModelId = "mine-a" }, new() { ModelId = "mine-b" } } });

        Assert.Contains("Routes[0] ('chat').Candidates: no candidate has a price, so the route could never weigh one.", e.Failures);
        Assert.Equal(3, e.Failures.Count());
    }

    [Fact]
    public void A_priced_candidate_is_accepted_from_the_options_prices_and_needs_a_context_window()
    {
        CostGovernanceOptions options = Options(new ModelRoute { Name = "chat", Candidates = { new() { ModelId = "mine" } } });
        options.Prices["mine"] = new ModelPrice { InputPerMillion = 0.1m, OutputPerMillion = 0.2m, MaximumOutputTokens = 1000 };

        Assert.Equal(["Routes[0] ('chat').Candidates[0]: the catalog gives no context window for 'mine'; set ContextWindow on the candidate."], options.Validate());
        options.Routes[0].Candidates[0].ContextWindow = 8000;
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void A_route_that_can_never_match_is_an_error_naming_it_and_the_route_that_takes_its_calls()
    {
        OptionsValidationException e = Invalid(
            new ModelRoute { Name = "mini", Models = { "gpt-4o-mini" }, Candidates = { new() { ModelId = "gpt-4o-mini" } } },
            new ModelRoute { Name = "again", Models = { "GPT-4O-MINI" }, Candidates = { new() { ModelId = "gpt-4.1-nano" } } },
            new ModelRoute { Name = "all", Candidates = { new() { ModelId = "gpt-4o-mini" } } },
            new ModelRoute { Name = "late", Models = { "gpt-4o" }, Candidates = { new() { ModelId = "gpt-4o" } } });

        Assert.Equal(
            [
                "Routes[1] ('again'): can never match: routes before it take every model it names (GPT-4O-MINI).",
                "Routes[3] ('late'): can never match: route 'all' before it names no models, so it takes every call.",
            ],
            e.Failures);
    }

    [Fact]
    public void A_classifier_with_no_tiered_candidate_can_never_match()
    {
        OptionsValidationException e = Invalid(new ModelRoute { Name = "chat", Candidates = { new() { ModelId = "gpt-4o-mini" } }, Classifier = _ => "complex" });

        Assert.Equal(["Routes[0] ('chat').Classifier: no candidate has a Tier, so a tier the classifier names could never match."], e.Failures);
    }

    [Fact]
    public void Every_route_problem_is_listed_at_once()
    {
        OptionsValidationException e = Invalid(
            new ModelRoute { Name = "", Models = { "a" }, Candidates = { new() { ModelId = "gpt-4o-mini" } } },
            new ModelRoute { Name = "empty", Models = { "b" } },
            new ModelRoute { Name = "twice", Models = { "c" }, Candidates = { new() { ModelId = "gpt-4o" }, new() { ModelId = "GPT-4o" } }, WhenUnroutable = (UnroutableCallAction)7 },
            new ModelRoute { Name = "twice", Models = { " ", "d" }, Candidates = { new() { ModelId = "", ContextWindow = 0, Capabilities = (ModelCapabilities)64 } } });

        Assert.Equal(
            [
                "Routes[0].Name: The Name field is required.",
                "Routes[1] ('empty').Candidates: the route has no candidates.",
                "Routes[2] ('twice').WhenUnroutable: '7' is not one of Reject, UseRequestedModel.",
                "Routes[2] ('twice').Candidates[1]: 'GPT-4o' is listed twice.",
                "Routes[3] ('twice').Name: 'twice' names two routes.",
                "Routes[3] ('twice').Models: a model id is empty.",
                "Routes[3] ('twice').Candidates[0].ModelId: The ModelId field is required.",
                "Routes[3] ('twice').Candidates[0].ContextWindow: The field ContextWindow must be between 1 and 2147483647.",
                "Routes[3] ('twice').Candidates[0].Capabilities: '64' is not a combination of None, Tools, ImageInput, JsonSchema, Reasoning.",
                "Routes[3] ('twice').Candidates: no candidate has a price, so the route could never weigh one.",
            ],
            e.Failures);
    }

    [Fact]
    public void A_route_problem_fails_host_startup_with_the_other_problems()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
            {
              "AiCostGuard": {
                "RequestLimits": { "MaximumCost": -1 },
                "Routes": [ { "Name": "chat", "Candidates": [ { "ModelId": "gpt-4o-mini" }, { "ModelId": "gtp-4o" }, { "Modell": "x" } ] } ]
              }
            }
            """))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(e.Failures, f => f.StartsWith("AiCostGuard:Routes:0:Candidates:2:Modell: 'Modell' is not a setting of RouteCandidate; did you mean 'ModelId'?", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Routes[0] ('chat').Candidates[1]: 'gtp-4o' has no price in the catalog", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("RequestLimits.", StringComparison.Ordinal));
    }
}
