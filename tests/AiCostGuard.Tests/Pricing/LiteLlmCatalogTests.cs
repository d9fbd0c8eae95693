using System.Text;

namespace AiCostGuard.Tests.Pricing;

public sealed class LiteLlmCatalogTests
{
    internal static readonly string LiteLlmFile = Path.Combine(AppContext.BaseDirectory, "data", "litellm", "model_prices_and_context_window.json");

    private static readonly Lazy<PriceCatalog> Full = new(() =>
    {
        using FileStream file = File.OpenRead(LiteLlmFile);
        return PriceCatalog.LoadLiteLlm(file);
    });

    private static PriceCatalog Load(string json) => PriceCatalog.LoadLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void The_whole_LiteLLM_file_loads_every_entry_priced_per_token()
    {
        // 2,984 entries: 2,497 with input and output token prices, plus embeddings with an input price only; the rest
        // (image generation, per-second audio and video, rerank, search, sample_spec) are not priced per token.
        Assert.InRange(Full.Value.Models.Count, 2497, 2600);
        Assert.False(Full.Value.Models.ContainsKey("sample_spec"));
    }

    [Fact]
    public void Known_prices_are_read_exactly_with_their_cache_write_and_long_context_rates()
    {
        Assert.True(Full.Value.TryGetPrice("anthropic/claude-sonnet-4-5", out ModelPrice? sonnet));
        Assert.Equal((3m, 0.3m, 3.75m, 6m, 15m), (sonnet.InputPerMillion, sonnet.CachedInputPerMillion, sonnet.CacheWritePerMillion, sonnet.CacheWriteOneHourPerMillion, sonnet.OutputPerMillion));
        LongContextPrice above = Assert.Single(sonnet.LongContextTiers!);
        Assert.Equal((200_000L, 6m, 0.6m, 7.5m, 12m, 22.5m), (above.AboveInputTokens, above.InputPerMillion, above.CachedInputPerMillion, above.CacheWritePerMillion, above.CacheWriteOneHourPerMillion, above.OutputPerMillion));
        Assert.Equal("anthropic", sonnet.Provider);

        Assert.True(Full.Value.TryGetPrice("dashscope/qwen-plus", out ModelPrice? qwen));
        Assert.Equal((0.4m, 1.2m), (qwen.InputPerMillion, qwen.OutputPerMillion));
        Assert.Equal(129_024, qwen.ContextWindow);
    }

    [Fact]
    public void Service_tiers_and_their_long_context_rates_are_read()
    {
        ModelPrice gpt54 = Full.Value.Models["gpt-5.4"];
        Assert.Equal((1.25m, 0.13m, 7.5m), (gpt54.Flex!.InputPerMillion, gpt54.Flex.CachedInputPerMillion, gpt54.Flex.OutputPerMillion));
        Assert.Equal((1.25m, 7.5m), (gpt54.Batch!.InputPerMillion, gpt54.Batch.OutputPerMillion));
        Assert.Equal((5m, 30m), (gpt54.Priority!.InputPerMillion, gpt54.Priority.OutputPerMillion));
        Assert.Null(gpt54.Priority.LongContextTiers);
        Assert.Equal(272_000, Assert.Single(gpt54.LongContextTiers!).AboveInputTokens);

        // Azure's GPT-5.4 publishes priority rates above 272k as well: $10 in, $1 cached, $45 out per million.
        ModelPrice azure = Full.Value.Models["azure_ai/gpt-5.4"];
        LongContextPrice priorityAbove = Assert.Single(azure.Priority!.LongContextTiers!);
        Assert.Equal((272_000L, 10m, 1m, 45m), (priorityAbove.AboveInputTokens, priorityAbove.InputPerMillion, priorityAbove.CachedInputPerMillion, priorityAbove.OutputPerMillion));
        Assert.Equal((272_001 * 10m) / 1_000_000m, azure.GetCostBreakdown(new TokenUsage(272_001, 0), "priority").Total);
    }

    [Fact]
    public void Tiered_pricing_ranges_become_long_context_tiers_and_reasoning_is_priced_apart()
    {
        ModelPrice qwen = Full.Value.Models["dashscope/qwen-plus-2025-07-28"];
        Assert.Equal((0.4m, 1.2m, 4m), (qwen.InputPerMillion, qwen.OutputPerMillion, qwen.ReasoningPerMillion));
        LongContextPrice above = Assert.Single(qwen.LongContextTiers!);
        Assert.Equal((256_000L, 1.2m, 3.6m, 12m), (above.AboveInputTokens, above.InputPerMillion, above.OutputPerMillion, above.ReasoningPerMillion));
    }

    [Fact]
    public void Per_request_fees_are_read()
    {
        Assert.Equal(0.005m, Full.Value.Models["perplexity/pplx-70b-online"].RequestFee);
    }

    [Fact]
    public void Entries_not_priced_per_token_are_skipped_rather_than_loaded_free()
    {
        PriceCatalog catalog = Load("""{ "dall-e-3": { "mode": "image_generation", "output_cost_per_image": 0.04 }, "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 } }""");
        Assert.False(catalog.TryGetPrice("dall-e-3", out _));
        Assert.Equal((1m, 2m), (catalog.Models["m"].InputPerMillion, catalog.Models["m"].OutputPerMillion));
    }

    [Theory]
    [InlineData("""{ "m": { "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06 } }""", "Entry 'm': the field 'input_cost_per_token' must be a number")]
    [InlineData("""{ "m": { "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06 } }""", "Entry 'm': the field 'input_cost_per_token' cannot be negative")]
    [InlineData("""{ "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "cache_read_input_token_cost": true } }""", "Entry 'm': the field 'cache_read_input_token_cost'")]
    [InlineData("""{ "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_input_tokens": "lots" } }""", "Entry 'm': the field 'max_input_tokens'")]
    [InlineData("""{ "m": { "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "tiered_pricing": [ { "range": "all" } ] } }""", "Entry 'm': the field 'tiered_pricing[0].range'")]
    [InlineData("""{ "m": 3 }""", "Entry 'm': the entry must be a JSON object")]
    [InlineData("""[ 1, 2 ]""", "JSON object keyed by model name")]
    [InlineData("""{ "m": { """, "not valid JSON")]
    public void A_malformed_file_gets_an_error_naming_the_entry_and_the_field(string json, string message)
    {
        PriceCatalogFormatException e = Assert.Throws<PriceCatalogFormatException>(() => Load(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
