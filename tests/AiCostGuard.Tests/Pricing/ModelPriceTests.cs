namespace AiCostGuard.Tests.Pricing;

public sealed class ModelPriceTests
{
    private static readonly ModelPrice Gpt4o = new() { InputPerMillion = 2.5m, CachedInputPerMillion = 1.25m, OutputPerMillion = 10m };

    [Fact]
    public void Uncached_input_cached_input_and_output_are_each_priced_at_their_rate()
    {
        // 800 uncached × $2.50 + 200 cached × $1.25 + 500 output × $10, per million.
        Assert.Equal(0.00725m, Gpt4o.GetCost(new TokenUsage(InputTokens: 1000, OutputTokens: 500, CachedInputTokens: 200)));
    }

    [Fact]
    public void Reasoning_tokens_are_part_of_output_and_not_charged_twice()
    {
        Assert.Equal(Gpt4o.GetCost(new TokenUsage(0, 500)), Gpt4o.GetCost(new TokenUsage(0, 500, ReasoningTokens: 400)));
    }

    [Fact]
    public void Without_a_cache_price_cached_tokens_cost_the_input_rate_never_zero()
    {
        var price = new ModelPrice { InputPerMillion = 3m, OutputPerMillion = 15m };
        Assert.Equal(0.003m, price.GetCost(new TokenUsage(1000, 0, CachedInputTokens: 1000)));
    }

    [Fact]
    public void Impossible_usage_is_rejected_rather_than_priced()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt4o.GetCost(new TokenUsage(100, 0, CachedInputTokens: 101)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt4o.GetCost(new TokenUsage(-1, 0)));
    }

    [Fact]
    public void The_worst_case_prices_all_input_uncached_and_all_allowed_output()
    {
        Assert.Equal(0.0125m, Gpt4o.GetWorstCaseCost(1000, 1000));
    }
}
