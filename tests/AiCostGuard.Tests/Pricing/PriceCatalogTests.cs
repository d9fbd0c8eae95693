using System.Text;

namespace AiCostGuard.Tests.Pricing;

public sealed class PriceCatalogTests
{
    [Theory]
    [InlineData("gpt-4o", "openai")]
    [InlineData("gpt-4o-mini", "openai")]
    [InlineData("gpt-5", "openai")]
    [InlineData("claude-sonnet-4-5", "anthropic")]
    [InlineData("claude-haiku-4-5", "anthropic")]
    [InlineData("gemini-2.5-pro", "google")]
    [InlineData("gemini-2.5-flash", "google")]
    [InlineData("mistral-large-latest", "mistral")]
    [InlineData("mistral-small-latest", "mistral")]
    public void The_bundled_catalog_prices_current_flagship_and_small_models(string model, string provider)
    {
        Assert.True(PriceCatalog.Default.TryGetPrice(model, out ModelPrice? price));
        Assert.Equal(provider, price.Provider);
        Assert.True(price.InputPerMillion > 0);
        Assert.True(price.OutputPerMillion > 0);
        Assert.NotNull(price.MaximumOutputTokens);
    }

    [Fact]
    public void The_bundled_prices_match_the_published_ones()
    {
        Assert.True(PriceCatalog.Default.TryGetPrice("gpt-4o", out ModelPrice? gpt4o));
        Assert.Equal((2.5m, 1.25m, 10m), (gpt4o.InputPerMillion, gpt4o.CachedInputPerMillion!.Value, gpt4o.OutputPerMillion));
        Assert.True(PriceCatalog.Default.TryGetPrice("gpt-4o-mini", out ModelPrice? mini));
        Assert.Equal((0.15m, 0.075m, 0.6m), (mini.InputPerMillion, mini.CachedInputPerMillion!.Value, mini.OutputPerMillion));
        Assert.True(PriceCatalog.Default.TryGetPrice("claude-sonnet-4-5", out ModelPrice? sonnet));
        Assert.Equal((3m, 0.3m, 15m), (sonnet.InputPerMillion, sonnet.CachedInputPerMillion!.Value, sonnet.OutputPerMillion));
        Assert.Contains("2026-07-24", PriceCatalog.Default.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bundled_catalog_carries_cache_write_long_context_and_service_tier_prices()
    {
        ModelPrice sonnet = PriceCatalog.Default.Models["claude-sonnet-4-5"];
        Assert.Equal((3.75m, 6m), (sonnet.CacheWritePerMillion, sonnet.CacheWriteOneHourPerMillion));
        Assert.Equal((200_000L, 6m, 22.5m), (sonnet.LongContextTiers![0].AboveInputTokens, sonnet.LongContextTiers[0].InputPerMillion, sonnet.LongContextTiers[0].OutputPerMillion));
        ModelPrice gpt5 = PriceCatalog.Default.Models["gpt-5"];
        Assert.Equal((0.625m, 5m), (gpt5.Flex!.InputPerMillion, gpt5.Flex.OutputPerMillion));
        Assert.Equal((2.5m, 20m), (gpt5.Priority!.InputPerMillion, gpt5.Priority.OutputPerMillion));
    }

    [Theory]
    [InlineData("GPT-4O", "gpt-4o")]
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5")]
    public void Prefixes_snapshots_and_case_resolve_to_the_base_entry(string spelling, string entry)
    {
        Assert.True(PriceCatalog.Default.TryGetPrice(spelling, out ModelPrice? price));
        Assert.Same(PriceCatalog.Default.Models[entry], price);
    }

    [Theory]
    [InlineData("my-finetune")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_models_are_not_found(string? model) =>
        Assert.False(PriceCatalog.Default.TryGetPrice(model, out _));

    [Fact]
    public void Overrides_win_and_add_models()
    {
        PriceCatalog catalog = PriceCatalog.Default.WithOverrides(new Dictionary<string, ModelPrice>
        {
            ["gpt-4o"] = new() { InputPerMillion = 1m, OutputPerMillion = 2m },
            ["my-finetune"] = new() { InputPerMillion = 3m, OutputPerMillion = 4m },
        });
        Assert.Equal(1m, catalog.Models["gpt-4o"].InputPerMillion);
        Assert.True(catalog.TryGetPrice("my-finetune", out _));
        Assert.Equal(2.5m, PriceCatalog.Default.Models["gpt-4o"].InputPerMillion);
    }

    [Theory]
    [InlineData("""{ "models": { "m": { "inputPerMillion": "cheap", "outputPerMillion": 1 } } }""", "Model 'm': the field 'inputPerMillion'")]
    [InlineData("""{ "models": { "m": { "outputPerMillion": 1 } } }""", "Model 'm': the field 'inputPerMillion' is required")]
    [InlineData("""{ "models": { "m": { "inputPerMillion": -1, "outputPerMillion": 1 } } }""", "Model 'm': prices cannot be negative")]
    [InlineData("""{ "models": { "m": { "inputPerMillion": 1, "outputPerMillion": 1, "maxOutputTokens": 0 } } }""", "Model 'm': the field 'maxOutputTokens'")]
    [InlineData("""{ "models": [] }""", "\"models\" object")]
    [InlineData("""{ "models": { "m": 3 } }""", "Model 'm': the entry must be a JSON object")]
    [InlineData("""{ "models": { """, "not valid JSON")]
    public void A_malformed_catalog_gets_an_error_naming_the_entry_and_the_field(string json, string message)
    {
        PriceCatalogFormatException e = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
