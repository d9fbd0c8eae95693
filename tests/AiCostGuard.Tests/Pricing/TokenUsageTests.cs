namespace AiCostGuard.Tests.Pricing;

public sealed class TokenUsageTests
{
    [Fact]
    public void Anthropic_usage_reports_cache_reads_and_writes_beside_input_and_is_folded_in_once()
    {
        var usage = TokenUsage.FromAnthropic(inputTokens: 50, outputTokens: 200, cacheReadTokens: 10_000, cacheWrite5mTokens: 3000, cacheWrite1hTokens: 1000);
        Assert.Equal(14_050, usage.InputTokens);
        Assert.Equal(10_000, usage.CachedInputTokens);
        Assert.Equal(3000, usage.CacheWriteTokens);
        Assert.Equal(1000, usage.CacheWriteOneHourTokens);
    }

    [Fact]
    public void Microsoft_Extensions_AI_usage_keeps_cached_within_input_and_reasoning_within_output()
    {
        var details = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 400, OutputTokenCount = 300, ReasoningTokenCount = 200 };
        Assert.Equal(new TokenUsage(1000, 300, 400, 200), TokenUsage.FromUsageDetails(details));
    }

    [Fact]
    public void The_OpenAI_adapter_audio_counts_are_read_from_additional_counts()
    {
        var details = new UsageDetails
        {
            InputTokenCount = 1000,
            OutputTokenCount = 500,
            AdditionalCounts = new() { ["InputTokenDetails.AudioTokenCount"] = 123, ["OutputTokenDetails.AudioTokenCount"] = 456 },
        };
        TokenUsage usage = TokenUsage.FromUsageDetails(details);
        Assert.Equal((123L, 456L), (usage.AudioInputTokens, usage.AudioOutputTokens));
    }

    [Fact]
    public void Cache_writes_reported_beside_an_input_that_contains_them_are_not_added_again()
    {
        var details = new UsageDetails { InputTokenCount = 5000, CachedInputTokenCount = 1000, OutputTokenCount = 10, AdditionalCounts = new() { ["cache_creation_input_tokens"] = 3000 } };
        TokenUsage usage = TokenUsage.FromUsageDetails(details);
        Assert.Equal(5000, usage.InputTokens);
        Assert.Equal(3000, usage.CacheWriteTokens);
    }

    [Fact]
    public void Cache_writes_beside_an_uncached_only_input_are_added_so_nothing_billed_goes_unpriced()
    {
        // Anthropic's input_tokens passed through unchanged: 50 uncached, with 3000 written (split by time to live).
        var details = new UsageDetails
        {
            InputTokenCount = 50,
            OutputTokenCount = 10,
            AdditionalCounts = new() { ["ephemeral_5m_input_tokens"] = 2000, ["ephemeral_1h_input_tokens"] = 1000 },
        };
        TokenUsage usage = TokenUsage.FromUsageDetails(details);
        Assert.Equal(3050, usage.InputTokens);
        Assert.Equal((2000L, 1000L), (usage.CacheWriteTokens, usage.CacheWriteOneHourTokens));
    }

    [Fact]
    public void The_same_call_reported_both_ways_costs_the_same()
    {
        ModelPrice sonnet = PriceCatalog.Default.Models["claude-sonnet-4-5"];
        var anthropic = TokenUsage.FromAnthropic(50, 200, cacheReadTokens: 10_000, cacheWrite5mTokens: 3000);
        var viaAdapter = TokenUsage.FromUsageDetails(new UsageDetails
        {
            InputTokenCount = 13_050,
            CachedInputTokenCount = 10_000,
            OutputTokenCount = 200,
            AdditionalCounts = new() { ["CacheCreationInputTokens"] = 3000 },
        });
        Assert.Equal(sonnet.GetCost(anthropic), sonnet.GetCost(viaAdapter));
    }
}
