using System.Text;

namespace AiCostGuard.Tests.Pricing;

public sealed class PriceCatalogAliasTests
{
    [Fact]
    public void An_alias_such_as_an_Azure_deployment_name_is_priced_as_its_model()
    {
        PriceCatalog catalog = PriceCatalog.Default.WithAliases(new Dictionary<string, string> { ["prod-chat"] = "gpt-4o-2024-08-06" });
        Assert.True(catalog.TryGetPrice("prod-chat", out ModelPrice? price));
        Assert.Same(PriceCatalog.Default.Models["gpt-4o"], price);
        Assert.True(catalog.TryGetPrice("azure/prod-chat", out ModelPrice? prefixed));
        Assert.Same(price, prefixed);
    }

    [Fact]
    public void An_alias_to_an_unpriced_model_is_rejected_when_it_is_configured()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PriceCatalog.Default.WithAliases(new Dictionary<string, string> { ["prod"] = "my-finetune" }));
        Assert.Contains("'prod'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_middleware_prices_aliases_configured_in_its_options()
    {
        var options = new CostGovernanceOptions();
        options.ModelAliases["prod-chat"] = "gpt-4o-mini";
        var client = new CostGovernanceChatClient(new Fakes.FakeChatClient(), options);
        Assert.True(client.Catalog.TryGetPrice("prod-chat", out ModelPrice? price));
        Assert.Equal(0.15m, price.InputPerMillion);
    }

    [Fact]
    public void The_catalog_prices_a_call_at_the_version_in_force_at_its_time()
    {
        PriceCatalog catalog = PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("""
            { "models": { "m": { "inputPerMillion": 5, "outputPerMillion": 15,
              "versions": [ { "effectiveFrom": "2026-01-01", "inputPerMillion": 2, "outputPerMillion": 8 } ] } } }
            """)));
        Assert.True(catalog.TryGetPrice("m", new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero), out ModelPrice? before));
        Assert.True(catalog.TryGetPrice("m", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), out ModelPrice? after));
        Assert.Equal((5m, 2m), (before.InputPerMillion, after.InputPerMillion));
    }
}
