using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

/// <summary>What clients report is normalized and priced one way, streamed or not; what they hide is estimated and flagged, never priced at $0.</summary>
public sealed class ReportedUsageTests
{
    private static readonly ModelPrice Claude = new() { InputPerMillion = 3m, CachedInputPerMillion = 0.3m, CacheWritePerMillion = 3.75m, OutputPerMillion = 15m, MaximumOutputTokens = 8192 };

    [Fact]
    public async Task Cache_writes_reported_beside_input_are_priced_as_cache_writes_in_a_stream_as_in_a_whole_response()
    {
        // How the Anthropic SDK's IChatClient reports a call that read 2,000 cached tokens and wrote 4,000.
        UsageDetails Usage() => new()
        {
            InputTokenCount = 10_000, CachedInputTokenCount = 2_000, OutputTokenCount = 500,
            AdditionalCounts = new() { ["CacheCreationInputTokens"] = 4_000 },
        };
        var inner = new FakeChatClient { ModelId = "cache-writing-model", UsageFor = _ => Usage(), Usage = Usage() };
        var governed = new Governed(o => o.Prices["cache-writing-model"] = Claude, inner);
        decimal expected = ((4_000 * 3m) + (2_000 * 0.3m) + (4_000 * 3.75m) + (500 * 15m)) / 1_000_000m;

        await governed.Client.GetResponseAsync(Governed.Prompt());
        CostRecord whole = governed.Last;
        await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Governed.Prompt()))
        {
            Assert.NotNull(update);
        }

        CostRecord streamed = governed.Last;
        Assert.Equal((expected, 4_000L), (whole.Cost, whole.CacheWriteTokens));
        Assert.Equal((expected, 4_000L, CostSource.ProviderReported), (streamed.Cost, streamed.CacheWriteTokens, streamed.CostSource));
    }

    [Fact]
    public async Task Zero_counts_beside_a_prompt_and_an_answer_are_not_reported_usage()
    {
        // OllamaSharp turns missing prompt_eval_count / eval_count into 0.
        var inner = new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0 } };
        var governed = new Governed(inner: inner);

        await governed.Client.GetResponseAsync(Governed.Prompt());

        CostRecord record = governed.Last;
        Assert.Equal(CostSource.Estimated, record.CostSource);
        Assert.True(record.InputTokens > 0 && record.OutputTokens > 0, $"{record.InputTokens} in, {record.OutputTokens} out");
        Assert.True(record.Cost > 0);
    }

    [Fact]
    public void An_alias_counts_with_its_model_s_tokenizer_as_well_as_its_price()
    {
        var governed = new Governed(o => o.ModelAliases["prod-chat"] = "gpt-4o");
        var governor = governed.Client.GetService<CostGovernanceChatClient>()!;

        CostQuote alias = governor.Quote(Governed.Prompt(), new ChatOptions { ModelId = "prod-chat", MaxOutputTokens = 100 });
        CostQuote model = governor.Quote(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 });

        Assert.Equal((EstimatePrecision.Exact, model.InputTokens, model.WorstCaseCost), (alias.Precision, alias.InputTokens, alias.WorstCaseCost));
    }

    [Fact]
    public async Task For_an_estimated_family_the_ledger_carries_the_input_that_was_reserved()
    {
        var inner = new FakeChatClient { ModelId = "claude-sonnet-4-5" };
        long? reserved = null;
        inner.OnCall = (_, _) =>
        {
            reserved = BudgetScope.Current!.Reserved.InputTokens;
            return Task.CompletedTask;
        };
        var governed = new Governed(inner: inner);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");

        await governed.Client.GetResponseAsync(Governed.Prompt());

        Assert.NotNull(reserved);
        Assert.Equal((reserved.Value, EstimatePrecision.Approximate), (governed.Last.EstimatedInputTokens, governed.Last.EstimatePrecision));
    }
}
