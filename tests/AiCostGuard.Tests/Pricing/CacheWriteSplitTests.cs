using System.Text.Json;

namespace AiCostGuard.Tests.Pricing;

public sealed class CacheWriteSplitTests
{
    private static UsageDetails TotalOnly(long writes) => new()
    {
        InputTokenCount = 1_000 + writes,
        OutputTokenCount = 10,
        AdditionalCounts = new() { ["CacheCreationInputTokens"] = writes },
    };

    /// <summary>Stands for an SDK model that prints its JSON as Anthropic's does (indented, from <see cref="object.ToString"/>).</summary>
    private sealed class Message(string json)
    {
        public override string ToString() => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented);
    }

    /// <summary>Stands for a stream event that prints its JSON as Anthropic's does.</summary>
    private sealed class StreamEvent(string json)
    {
        public override string ToString() => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public void A_total_of_cache_writes_is_split_by_the_raw_message_usage()
    {
        var raw = new Message("""{"usage":{"cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":200}}}""");
        TokenUsage usage = TokenUsage.FromUsageDetails(TotalOnly(500), raw);
        Assert.Equal((300L, 200L, 1_500L), (usage.CacheWriteTokens, usage.CacheWriteOneHourTokens, usage.InputTokens));
    }

    [Fact]
    public void A_streams_message_start_event_splits_it_too()
    {
        var raw = new StreamEvent("""{"type":"message_start","message":{"usage":{"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":500}}}}""");
        TokenUsage usage = TokenUsage.FromUsageDetails(TotalOnly(500), raw);
        Assert.Equal((0L, 500L), (usage.CacheWriteTokens, usage.CacheWriteOneHourTokens));
    }

    [Fact]
    public void The_reported_total_bounds_a_split_that_claims_more()
    {
        var raw = new Message("""{"usage":{"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":900}}}""");
        TokenUsage usage = TokenUsage.FromUsageDetails(TotalOnly(500), raw);
        Assert.Equal((0L, 500L), (usage.CacheWriteTokens, usage.CacheWriteOneHourTokens));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not an SDK model")]
    public void Without_a_split_all_writes_are_five_minute_ones(object? raw)
    {
        TokenUsage usage = TokenUsage.FromUsageDetails(TotalOnly(500), raw);
        Assert.Equal((500L, 0L), (usage.CacheWriteTokens, usage.CacheWriteOneHourTokens));
    }

    [Fact]
    public void One_hour_writes_cost_their_own_rate()
    {
        var price = new ModelPrice { InputPerMillion = 3m, CacheWritePerMillion = 3.75m, CacheWriteOneHourPerMillion = 6m, OutputPerMillion = 15m };
        var raw = new Message("""{"usage":{"cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":200}}}""");
        decimal cost = price.GetCost(TokenUsage.FromUsageDetails(TotalOnly(500), raw));
        Assert.Equal(((1_000 * 3m) + (300 * 3.75m) + (200 * 6m) + (10 * 15m)) / 1_000_000m, cost);
    }
}
