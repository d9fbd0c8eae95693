using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Pricing;

public sealed class PricingRulesTests
{
    // Claude Sonnet 4.5 as published: $3 in, $0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 out;
    // above 200k input: $6 in, $0.60 read, $7.50 write, $12 1-hour write, $22.50 out.
    private static readonly ModelPrice Sonnet = new()
    {
        InputPerMillion = 3m,
        CachedInputPerMillion = 0.3m,
        CacheWritePerMillion = 3.75m,
        CacheWriteOneHourPerMillion = 6m,
        OutputPerMillion = 15m,
        LongContextTiers = [new LongContextPrice { AboveInputTokens = 200_000, InputPerMillion = 6m, CachedInputPerMillion = 0.6m, CacheWritePerMillion = 7.5m, CacheWriteOneHourPerMillion = 12m, OutputPerMillion = 22.5m }],
    };

    // GPT-5 as published: $1.25 in, $0.125 cached, $10 out; flex half; priority double.
    private static readonly ModelPrice Gpt5 = new()
    {
        InputPerMillion = 1.25m,
        CachedInputPerMillion = 0.125m,
        OutputPerMillion = 10m,
        Flex = new ServiceTierPrice { InputPerMillion = 0.625m, CachedInputPerMillion = 0.0625m, OutputPerMillion = 5m },
        Priority = new ServiceTierPrice { InputPerMillion = 2.5m, CachedInputPerMillion = 0.25m, OutputPerMillion = 20m },
    };

    [Fact]
    public void Exactly_at_the_long_context_threshold_the_request_stays_at_the_base_rates()
    {
        CostBreakdown cost = Sonnet.GetCostBreakdown(new TokenUsage(200_000, 1000));
        Assert.Equal((200_000 * 3m + 1000 * 15m) / 1_000_000m, cost.Total);
        Assert.Null(cost.LongContextThreshold);
        Assert.False(cost.Notes.HasFlag(PricingNotes.LongContext));
    }

    [Fact]
    public void One_token_above_the_threshold_moves_the_whole_request_input_and_output_to_the_higher_rates()
    {
        CostBreakdown cost = Sonnet.GetCostBreakdown(new TokenUsage(200_001, 1000));
        Assert.Equal((200_001 * 6m + 1000 * 22.5m) / 1_000_000m, cost.Total);
        Assert.Equal(200_000, cost.LongContextThreshold);
        Assert.True(cost.Notes.HasFlag(PricingNotes.LongContext));
    }

    [Fact]
    public void Cached_tokens_count_toward_the_threshold_and_are_priced_at_the_tier_cache_rate()
    {
        CostBreakdown cost = Sonnet.GetCostBreakdown(new TokenUsage(200_001, 0, CachedInputTokens: 200_000));
        Assert.Equal((1 * 6m + 200_000 * 0.6m) / 1_000_000m, cost.Total);
    }

    [Fact]
    public void The_highest_threshold_passed_wins()
    {
        var price = new ModelPrice
        {
            InputPerMillion = 1m,
            OutputPerMillion = 2m,
            LongContextTiers = [new LongContextPrice { AboveInputTokens = 256_000, InputPerMillion = 4m }, new LongContextPrice { AboveInputTokens = 128_000, InputPerMillion = 3m }],
        };
        Assert.Equal(128_001 * 3m / 1_000_000m, price.GetCost(new TokenUsage(128_001, 0)));
        Assert.Equal(256_001 * 4m / 1_000_000m, price.GetCost(new TokenUsage(256_001, 0)));
        Assert.Equal(1000 * 2m / 1_000_000m + 256_001 * 4m / 1_000_000m, price.GetCost(new TokenUsage(256_001, 1000)));
    }

    [Fact]
    public void Cache_writes_are_priced_at_their_5_minute_and_1_hour_rates()
    {
        var usage = TokenUsage.FromAnthropic(inputTokens: 100, outputTokens: 50, cacheReadTokens: 1000, cacheWrite5mTokens: 2000, cacheWrite1hTokens: 4000);
        CostBreakdown cost = Sonnet.GetCostBreakdown(usage);
        Assert.Equal(100 * 3m / 1_000_000m, cost.UncachedInput);
        Assert.Equal(1000 * 0.3m / 1_000_000m, cost.CachedInput);
        Assert.Equal((2000 * 3.75m + 4000 * 6m) / 1_000_000m, cost.CacheWrite);
        Assert.Equal(50 * 15m / 1_000_000m, cost.Output);
        Assert.Equal(PricingNotes.None, cost.Notes);
    }

    [Fact]
    public void A_1_hour_write_without_its_own_price_costs_the_5_minute_rate()
    {
        ModelPrice price = Sonnet with { CacheWriteOneHourPerMillion = null };
        Assert.Equal(4000 * 3.75m / 1_000_000m, price.GetCostBreakdown(new TokenUsage(4000, 0) { CacheWriteOneHourTokens = 4000 }).CacheWrite);
    }

    [Fact]
    public void Cache_writes_without_a_cache_write_price_are_priced_at_the_input_rate_and_noted()
    {
        var price = new ModelPrice { InputPerMillion = 2m, OutputPerMillion = 8m };
        CostBreakdown cost = price.GetCostBreakdown(new TokenUsage(1000, 0) { CacheWriteTokens = 1000 });
        Assert.Equal(1000 * 2m / 1_000_000m, cost.Total);
        Assert.True(cost.Notes.HasFlag(PricingNotes.CacheWriteAtInputRate));
    }

    [Fact]
    public void Cached_tokens_without_a_cache_price_are_priced_at_the_input_rate_and_noted_never_zero()
    {
        var price = new ModelPrice { InputPerMillion = 3m, OutputPerMillion = 15m };
        CostBreakdown cost = price.GetCostBreakdown(new TokenUsage(1000, 0, CachedInputTokens: 1000));
        Assert.Equal(0.003m, cost.Total);
        Assert.Equal(PricingNotes.CachedInputAtInputRate, cost.Notes);
        Assert.Equal(PricingNotes.None, Sonnet.GetCostBreakdown(new TokenUsage(1000, 0, CachedInputTokens: 1000)).Notes);
    }

    [Fact]
    public void Reasoning_priced_apart_is_charged_its_own_rate_once()
    {
        var price = new ModelPrice { InputPerMillion = 0.4m, OutputPerMillion = 1.2m, ReasoningPerMillion = 4m };
        CostBreakdown cost = price.GetCostBreakdown(new TokenUsage(0, 1000, ReasoningTokens: 600));
        Assert.Equal(400 * 1.2m / 1_000_000m, cost.Output);
        Assert.Equal(600 * 4m / 1_000_000m, cost.Reasoning);
        Assert.Equal((400 * 1.2m + 600 * 4m) / 1_000_000m, cost.Total);
    }

    [Fact]
    public void The_per_request_fee_is_added_once_per_call()
    {
        var price = new ModelPrice { InputPerMillion = 0m, OutputPerMillion = 2.8m, RequestFee = 0.005m };
        Assert.Equal(0.005m + (100 * 2.8m / 1_000_000m), price.GetCost(new TokenUsage(500, 100)));
        Assert.Equal(0.005m, price.GetCost(new TokenUsage(0, 0)));
    }

    [Theory]
    [InlineData("flex", 0.625, 5, "flex")]
    [InlineData("FLEX", 0.625, 5, "flex")]
    [InlineData("priority", 2.5, 20, "priority")]
    [InlineData(null, 1.25, 10, "standard")]
    [InlineData("default", 1.25, 10, "standard")]
    [InlineData("auto", 1.25, 10, "standard")]
    public void Service_tiers_are_priced_at_their_rates(string? tier, double input, double output, string applied)
    {
        CostBreakdown cost = Gpt5.GetCostBreakdown(new TokenUsage(1000, 1000), tier);
        Assert.Equal(1000 * ((decimal)input + (decimal)output) / 1_000_000m, cost.Total);
        Assert.Equal(applied, cost.ServiceTier);
        Assert.Equal(PricingNotes.None, cost.Notes);
    }

    [Fact]
    public void An_unpriced_service_tier_falls_back_to_standard_and_is_noted()
    {
        CostBreakdown cost = Gpt5.GetCostBreakdown(new TokenUsage(1000, 1000), "batch");
        Assert.Equal(Gpt5.GetCost(new TokenUsage(1000, 1000)), cost.Total);
        Assert.Equal("standard", cost.ServiceTier);
        Assert.Equal(PricingNotes.ServiceTierFallback, cost.Notes);
    }

    [Fact]
    public void A_service_tier_without_its_own_long_context_rates_uses_the_standard_ones_above_the_threshold()
    {
        ModelPrice price = Sonnet with { Priority = new ServiceTierPrice { InputPerMillion = 5m } };
        Assert.Equal(1000 * 5m / 1_000_000m, price.GetCostBreakdown(new TokenUsage(1000, 0), "priority").Total);
        Assert.Equal(200_001 * 6m / 1_000_000m, price.GetCostBreakdown(new TokenUsage(200_001, 0), "priority").Total);
    }

    [Fact]
    public void A_call_is_priced_at_the_version_in_force_when_it_started()
    {
        var price = new ModelPrice
        {
            InputPerMillion = 5m,
            OutputPerMillion = 15m,
            Versions = [new ModelPrice { EffectiveFrom = new DateTimeOffset(2024, 8, 6, 0, 0, 0, TimeSpan.Zero), InputPerMillion = 2.5m, OutputPerMillion = 10m }],
        };
        Assert.Equal(5m, price.At(new DateTimeOffset(2024, 8, 5, 23, 59, 59, TimeSpan.Zero)).InputPerMillion);
        Assert.Equal(2.5m, price.At(new DateTimeOffset(2024, 8, 6, 0, 0, 0, TimeSpan.Zero)).InputPerMillion);
        Assert.Equal(5m * 1000 / 1_000_000m + 15m * 1000 / 1_000_000m, price.GetWorstCaseCost(1000, 1000));
    }

    [Fact]
    public void Parts_larger_than_their_whole_are_rejected_rather_than_priced()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sonnet.GetCost(new TokenUsage(100, 0, CachedInputTokens: 60) { CacheWriteTokens = 50 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sonnet.GetCost(new TokenUsage(100, 10, ReasoningTokens: 11)));
    }

    [Fact]
    public void The_worst_case_covers_cache_writes_dearer_than_input_the_fee_and_the_tier_the_request_names()
    {
        ModelPrice price = Sonnet with { RequestFee = 0.01m };
        decimal worst = price.GetWorstCaseCost(1000, 100);
        Assert.Equal(0.01m + (1000 * 6m / 1_000_000m) + (100 * 15m / 1_000_000m), worst);
        Assert.True(Gpt5.GetWorstCaseCost(1000, 1000, "priority") >= Gpt5.GetCostBreakdown(new TokenUsage(1000, 1000), "priority").Total);
        Assert.True(Gpt5.GetWorstCaseCost(1000, 1000, "priority") > Gpt5.GetWorstCaseCost(1000, 1000));
    }

    [Property(MaxTest = 500)]
    public Property The_worst_case_is_an_upper_bound_of_every_usage_within_it()
    {
        ModelPrice price = Sonnet with
        {
            RequestFee = 0.001m,
            ReasoningPerMillion = 30m,
            Priority = new ServiceTierPrice { InputPerMillion = 9m, OutputPerMillion = 40m, LongContextTiers = [new LongContextPrice { AboveInputTokens = 100_000, OutputPerMillion = 50m }] },
        };
        Gen<(long Input, long Output, long Cached, long Write, long Write1h, long Reasoning, string? Tier)> usages =
            from input in Gen.Choose(0, 400_000)
            from output in Gen.Choose(0, 64_000)
            from cached in Gen.Choose(0, input)
            from write in Gen.Choose(0, input - cached)
            from write1h in Gen.Choose(0, input - cached - write)
            from reasoning in Gen.Choose(0, output)
            from tier in Gen.Elements<string?>(null, "priority", "flex", "batch")
            select ((long)input, (long)output, (long)cached, (long)write, (long)write1h, (long)reasoning, tier);
        return Prop.ForAll(usages.ToArbitrary(), u =>
        {
            var usage = new TokenUsage(u.Input, u.Output, u.Cached, u.Reasoning) { CacheWriteTokens = u.Write, CacheWriteOneHourTokens = u.Write1h };
            return price.GetCostBreakdown(usage, u.Tier).Total <= price.GetWorstCaseCost(u.Input, u.Output, u.Tier);
        });
    }
}
