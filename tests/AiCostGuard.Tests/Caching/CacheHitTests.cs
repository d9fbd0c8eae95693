using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Caching;

/// <summary>M.E.AI's own response caches (<c>UseDistributedCache()</c> over a <see cref="MemoryDistributedCache"/>) inside and outside the governance.</summary>
public sealed class CacheHitTests
{
    private static MemoryDistributedCache NewCache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    private static (IChatClient Client, FakeChatClient Model, InMemoryCostLedger Ledger) GovernedAboveCache()
    {
        var model = new FakeChatClient();
        var ledger = new InMemoryCostLedger();
        IChatClient client = new ChatClientBuilder(model)
            .UseCostGovernance(o => o.Ledger = ledger)
            .UseDistributedCache(NewCache())
            .UseCacheHitDetection()
            .Build();
        return (client, model, ledger);
    }

    [Fact]
    public async Task A_hit_below_the_governance_is_recorded_at_zero_with_the_cost_it_avoided_and_never_charged()
    {
        (IChatClient client, FakeChatClient model, InMemoryCostLedger ledger) = GovernedAboveCache();

        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "cached");
        ChatResponse first = await client.GetResponseAsync(Governed.Prompt());
        decimal afterFirst = run.Spent.Cost;
        ChatResponse second = await client.GetResponseAsync(Governed.Prompt());

        Assert.Equal(1, model.Calls);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(100, second.Usage!.InputTokenCount);
        Assert.True(afterFirst > 0m);
        Assert.Equal(afterFirst, run.Spent.Cost);
        Assert.Equal(100, run.Spent.InputTokens);
        CostRecord[] records = [.. ledger.GetRecords()];
        Assert.Equal(2, records.Length);
        Assert.Null(records[0].AvoidedCost);
        Assert.Equal(afterFirst, records[0].Cost);
        Assert.Equal((0m, afterFirst, 0L, 0L, CallOutcome.Succeeded), (records[1].Cost, records[1].AvoidedCost, records[1].InputTokens, records[1].OutputTokens, records[1].Outcome));
    }

    [Fact]
    public async Task A_streamed_hit_is_recorded_at_zero_with_the_cost_it_avoided()
    {
        (IChatClient client, FakeChatClient model, InMemoryCostLedger ledger) = GovernedAboveCache();

        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "cached-stream");
        string first = string.Concat(await client.GetStreamingResponseAsync(Governed.Prompt()).Select(u => u.Text).ToListAsync());
        decimal afterFirst = run.Spent.Cost;
        string second = string.Concat(await client.GetStreamingResponseAsync(Governed.Prompt()).Select(u => u.Text).ToListAsync());

        Assert.Equal(1, model.Calls);
        Assert.Equal(first, second);
        Assert.True(afterFirst > 0m);
        Assert.Equal(afterFirst, run.Spent.Cost);
        CostRecord hit = ledger.GetRecords()[^1];
        Assert.True(hit.IsStreaming);
        Assert.Equal((0m, afterFirst), (hit.Cost, hit.AvoidedCost));
    }

    [Fact]
    public async Task A_miss_after_a_hit_is_charged_again()
    {
        (IChatClient client, FakeChatClient model, InMemoryCostLedger ledger) = GovernedAboveCache();

        await client.GetResponseAsync(Governed.Prompt());
        await client.GetResponseAsync(Governed.Prompt());
        await client.GetResponseAsync(Governed.Prompt("Another question entirely."));

        Assert.Equal(2, model.Calls);
        Assert.Equal([false, true, false], ledger.GetRecords().Select(r => r.AvoidedCost is not null));
        Assert.Equal(ledger.GetRecords()[0].Cost, ledger.GetRecords()[2].Cost);
    }

    [Fact]
    public void A_cache_inside_the_governance_without_the_marker_is_a_configuration_error()
    {
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance().UseDistributedCache(NewCache());

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains("UseCacheHitDetection()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_above_the_cache_instead_of_below_it_is_a_configuration_error()
    {
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance().UseCacheHitDetection().UseDistributedCache(NewCache());

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public async Task A_cache_outside_the_governance_answers_hits_that_never_reach_it_so_nothing_is_billed_or_recorded()
    {
        var model = new FakeChatClient();
        var ledger = new InMemoryCostLedger();
        IChatClient client = new ChatClientBuilder(model)
            .UseDistributedCache(NewCache())
            .UseCostGovernance(o => o.Ledger = ledger)
            .Build();

        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "outer-cache");
        await client.GetResponseAsync(Governed.Prompt());
        decimal once = run.Spent.Cost;
        await client.GetResponseAsync(Governed.Prompt());

        Assert.Equal(1, model.Calls);
        Assert.Equal(once, run.Spent.Cost);
        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal(once, record.Cost);
    }

    [Fact]
    public async Task Embeddings_the_cache_answers_are_free_and_only_the_inputs_that_reach_the_provider_are_charged()
    {
        var model = new FakeEmbeddingGenerator();
        var ledger = new InMemoryCostLedger();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(model)
            .UseCostGovernance(o => o.Ledger = ledger)
            .UseDistributedCache(NewCache())
            .UseCacheHitDetection()
            .Build();
        string[] first = ["alpha beta gamma", "delta epsilon"];
        string[] second = ["alpha beta gamma", "zeta eta theta iota kappa"];
        long Tokens(string s) => TokenEstimator.CountTokens(s, "cl100k_base");
        decimal perToken = 0.02m / 1_000_000m;

        await generator.GenerateAsync(first);
        await generator.GenerateAsync(second);
        await generator.GenerateAsync(["delta epsilon"]);

        Assert.Equal([first, ["zeta eta theta iota kappa"]], model.Batches);
        CostRecord[] records = [.. ledger.GetRecords()];
        Assert.Equal((Tokens(first[0]) + Tokens(first[1])) * perToken, records[0].Cost);
        Assert.Null(records[0].AvoidedCost);

        // Part of a batch answered by the cache: the provider's usage for the rest is charged, the cached part avoided.
        Assert.Equal(Tokens(second[1]), records[1].InputTokens);
        Assert.Equal(Tokens(second[1]) * perToken, records[1].Cost);
        Assert.Equal(Tokens(second[0]) * perToken, records[1].AvoidedCost);
        Assert.Equal(CostSource.ProviderReported, records[1].CostSource);

        // All of it answered by the cache.
        Assert.Equal((0m, Tokens("delta epsilon") * perToken, 0L), (records[2].Cost, records[2].AvoidedCost, records[2].InputTokens));
        Assert.All(records, r => Assert.Equal(CallKind.Embedding, r.Kind));
    }

    [Fact]
    public void An_embeddings_cache_inside_the_governance_without_the_marker_is_a_configuration_error()
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new FakeEmbeddingGenerator()).UseCostGovernance().UseDistributedCache(NewCache());

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public async Task Without_a_marker_below_a_governed_call_starts_no_probe()
    {
        ProviderCallProbe? seen = null;
        var model = new FakeChatClient { OnCall = (_, _) => { seen = ProviderCallProbe.Current; return Task.CompletedTask; } };
        IChatClient plain = new ChatClientBuilder(model).UseCostGovernance().Build();
        IChatClient marked = new ChatClientBuilder(model).UseCostGovernance().UseCacheHitDetection().Build();

        await plain.GetResponseAsync(Governed.Prompt());
        Assert.Null(seen);
        await marked.GetResponseAsync(Governed.Prompt());
        Assert.True(seen is { Reached: true });
        Assert.Null(ProviderCallProbe.Current);
    }
}
