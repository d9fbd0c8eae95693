using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

/// <summary>The middleware's settlement: usage normalized once, priced with every rule, recorded with its notes.</summary>
public sealed class BillingRulesTests
{
    private static readonly ModelPrice Tiered = new()
    {
        InputPerMillion = 1m,
        CachedInputPerMillion = 0.1m,
        CacheWritePerMillion = 1.25m,
        OutputPerMillion = 4m,
        Priority = new ServiceTierPrice { InputPerMillion = 2m, OutputPerMillion = 8m },
        MaximumOutputTokens = 1000,
    };

    private static Governed WithModel(ModelPrice price, UsageDetails usage) =>
        new(o => o.Prices["tiered-model"] = price, new FakeChatClient { ModelId = "tiered-model", Usage = usage });

    [Fact]
    public async Task The_service_tier_the_request_names_is_reserved_and_priced()
    {
        Governed governed = WithModel(Tiered, new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 });
        BudgetUsage? inFlight = null;
        governed.Inner.OnCall = (_, _) =>
        {
            inFlight = BudgetScope.Current!.Reserved;
            return Task.CompletedTask;
        };
        var options = new ChatOptions { MaxOutputTokens = 500, AdditionalProperties = new() { ["service_tier"] = "priority" } };

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");
        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        Assert.Equal(Tiered.GetWorstCaseCost(inFlight!.Value.InputTokens, 500, "priority"), inFlight.Value.Cost);
        Assert.Equal((100 * 2m + 20 * 8m) / 1_000_000m, governed.Last.Cost);
        Assert.Equal("priority", governed.Last.ServiceTier);
    }

    [Fact]
    public async Task The_tier_the_response_reports_wins_and_an_unpriced_one_is_noted()
    {
        var inner = new FakeChatClient { ModelId = "tiered-model", Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 } };
        var governed = new Governed(o => o.Prices["tiered-model"] = Tiered, inner);
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { AdditionalProperties = new() { ["service_tier"] = "flex" } });
        Assert.Equal(PricingNotes.ServiceTierFallback, governed.Last.PricingNotes);
        Assert.Equal(Tiered.GetCost(new TokenUsage(100, 20)), governed.Last.Cost);
    }

    [Fact]
    public async Task Cache_writes_from_the_provider_are_recorded_and_priced_once()
    {
        Governed governed = WithModel(Tiered, new UsageDetails
        {
            InputTokenCount = 5000,
            CachedInputTokenCount = 1000,
            OutputTokenCount = 10,
            AdditionalCounts = new() { ["cache_creation_input_tokens"] = 3000 },
        });
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Equal(3000, governed.Last.CacheWriteTokens);
        Assert.Equal(5000, governed.Last.InputTokens);
        Assert.Equal((1000 * 1m + 1000 * 0.1m + 3000 * 1.25m + 10 * 4m) / 1_000_000m, governed.Last.Cost);
    }

    [Fact]
    public async Task Cached_tokens_on_a_model_without_a_cache_price_are_charged_as_input_and_noted()
    {
        Governed governed = WithModel(new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 4m }, new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 800, OutputTokenCount = 0 });

        // No output beside an empty answer: a reported zero, not a missing count.
        governed.Inner.Text = string.Empty;
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Equal(1000 * 1m / 1_000_000m, governed.Last.Cost);
        Assert.Equal(PricingNotes.CachedInputAtInputRate, governed.Last.PricingNotes);
    }

    [Fact]
    public async Task A_model_without_a_tokenizer_learns_from_reported_usage()
    {
        string model = "claude-haiku-4-5-calibration-" + Guid.NewGuid().ToString("N");
        List<ChatMessage> prompt = Governed.Prompt();

        // What the call path learns from: the estimate before calibration.
        long estimate = TokenEstimator.Estimate(prompt, null, encoding: null, exactAbove: 0).Tokens;
        long reported = estimate + 7;
        var inner = new FakeChatClient { ModelId = model, Usage = new UsageDetails { InputTokenCount = reported, OutputTokenCount = 5 } };
        var governed = new Governed(o => o.Prices[model] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 5m }, inner);

        await governed.Client.GetResponseAsync(prompt);

        // Each client learns for itself: nothing reaches the process-wide calibrator.
        InputTokenCalibrator calibrator = governed.Client.GetService<CostGovernanceChatClient>()!.InputCalibrator;
        TokenCalibration calibration = calibrator.GetScalarCalibration(model);
        Assert.Equal(1, calibration.Samples);
        Assert.Equal((double)reported / estimate, calibration.Ratio, 9);
        Assert.Equal(1, calibrator.GetCalibration(model).Samples);
        Assert.Equal(0, InputTokenCalibrator.Shared.GetCalibration(model).Samples);
    }
}
