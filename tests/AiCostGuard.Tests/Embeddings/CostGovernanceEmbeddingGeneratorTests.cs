using System.Diagnostics;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AiCostGuard.Tests.Embeddings;

public sealed class CostGovernanceEmbeddingGeneratorTests
{
    private static readonly string[] Inputs = ["The quick brown fox jumps over the lazy dog.", "Budgets before bills.", "<|endoftext|> is text here"];

    private static readonly decimal PerToken = 0.02m / 1_000_000m;

    private static (IEmbeddingGenerator<string, Embedding<float>> Generator, FakeEmbeddingGenerator Model, InMemoryCostLedger Ledger) Build(Action<CostGovernanceOptions>? configure = null)
    {
        var model = new FakeEmbeddingGenerator();
        var ledger = new InMemoryCostLedger();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(model)
            .UseCostGovernance(o =>
            {
                o.Ledger = ledger;
                configure?.Invoke(o);
            })
            .Build();
        return (generator, model, ledger);
    }

    private static long Cl100k(IEnumerable<string> inputs) => inputs.Sum(i => (long)TokenEstimator.CountTokens(i, "cl100k_base"));

    [Fact]
    public async Task A_call_is_attributed_counted_priced_at_the_catalog_rate_and_recorded_as_an_embedding()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, InMemoryCostLedger ledger) = Build();
        long tokens = Cl100k(Inputs);

        using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "index" }))
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "indexing"))
        {
            GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(Inputs);
            Assert.Equal(3, embeddings.Count);
            Assert.Equal(tokens * PerToken, run.Spent.Cost);
            Assert.Equal(tokens, run.Spent.InputTokens);
        }

        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal(CallKind.Embedding, record.Kind);
        Assert.Equal("text-embedding-3-small", record.ModelId);
        Assert.Equal("fake", record.Provider);
        Assert.Equal("search", record.Attribution.Team);
        Assert.Equal("index", record.Attribution.Feature);
        Assert.Equal("indexing", record.ScopeName);
        Assert.Equal(tokens, record.InputTokens);
        Assert.Equal(0, record.OutputTokens);
        Assert.Equal(tokens, record.EstimatedInputTokens);
        Assert.Equal(EstimatePrecision.Exact, record.EstimatePrecision);
        Assert.Equal(tokens * PerToken, record.Cost);
        Assert.Equal(CostSource.ProviderReported, record.CostSource);
        Assert.Equal(CallOutcome.Succeeded, record.Outcome);
        Assert.Null(record.AvoidedCost);
        Assert.Single(model.Batches);
    }

    [Fact]
    public async Task Inputs_over_a_scope_ceiling_are_refused_before_sending_and_recorded_as_an_embedding()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, InMemoryCostLedger ledger) = Build();

        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumInputTokens = 5 }, "tiny");
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => generator.GenerateAsync(Inputs));

        Assert.Equal(BudgetLimitKind.InputTokens, e.LimitKind);
        Assert.Equal(Cl100k(Inputs), (long)e.Requested);
        Assert.Empty(model.Batches);
        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal((CallKind.Embedding, BudgetDecision.Rejected, CallOutcome.NotSent), (record.Kind, record.Decision, record.Outcome));
        Assert.Equal(0m, run.Spent.Cost);
    }

    [Fact]
    public async Task A_request_cost_ceiling_applies_to_the_inputs_price()
    {
        string[] big = [string.Join(' ', Enumerable.Repeat("budget", 5000))];
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, _) = Build(o => o.RequestLimits.MaximumCost = 0.00001m);

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => generator.GenerateAsync(big));

        Assert.Equal(BudgetLimitKind.Cost, e.LimitKind);
        Assert.Equal(Cl100k(big) * PerToken, e.Requested);
        Assert.Empty(model.Batches);
    }

    [Fact]
    public async Task A_missing_required_attribution_is_refused_and_recorded()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, InMemoryCostLedger ledger) = Build(o => o.RequiredAttribution = AttributionDimensions.Team);

        await Assert.ThrowsAsync<MissingAttributionException>(() => generator.GenerateAsync(Inputs));

        Assert.Empty(model.Batches);
        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal((CallKind.Embedding, CallOutcome.NotSent), (record.Kind, record.Outcome));
    }

    [Fact]
    public async Task An_unknown_model_is_refused_by_default()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, _) = Build();

        await Assert.ThrowsAsync<UnknownModelException>(() => generator.GenerateAsync(Inputs, new EmbeddingGenerationOptions { ModelId = "my-embedder" }));
        Assert.Empty(model.Batches);
    }

    [Fact]
    public async Task Without_reported_usage_the_inputs_count_is_charged_and_flagged_estimated()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, InMemoryCostLedger ledger) = Build();
        model.ReportsUsage = false;

        await generator.GenerateAsync(Inputs);

        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal(Cl100k(Inputs), record.InputTokens);
        Assert.Equal(Cl100k(Inputs) * PerToken, record.Cost);
        Assert.Equal(CostSource.Estimated, record.CostSource);
    }

    [Fact]
    public async Task A_failed_call_is_recorded_at_zero_and_releases_its_reservation()
    {
        (IEmbeddingGenerator<string, Embedding<float>> generator, FakeEmbeddingGenerator model, InMemoryCostLedger ledger) = Build();
        model.Throw = new InvalidOperationException("provider down");

        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "r");
        await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(Inputs));

        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal((CallKind.Embedding, CallOutcome.Failed, 0m), (record.Kind, record.Outcome, record.Cost));
        Assert.Equal(0m, run.Spent.Cost);
        Assert.Equal(1m, run.RemainingCost);
    }

    [Fact]
    public async Task A_daily_budget_refuses_an_embeddings_call_once_the_spend_it_keeps_leaves_no_room()
    {
        var ledger = new InMemoryCostLedger();
        var store = new InMemoryBudgetStore();
        string[] inputs = [string.Join(' ', Enumerable.Repeat("budget", 1000))];
        long tokens = Cl100k(inputs);
        var budget = new PeriodBudgetOptions { Name = "team-daily", Period = BudgetPeriod.Daily, Dimensions = AttributionDimensions.Team, Limits = new BudgetLimits { MaximumCost = tokens * PerToken * 1.5m } };
        var model = new FakeEmbeddingGenerator();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(model)
            .UseCostGovernance(o => { o.Ledger = ledger; o.BudgetStore = store; o.PeriodBudgets.Add(budget); })
            .Build();

        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await generator.GenerateAsync(inputs);
            BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => generator.GenerateAsync(inputs));
            Assert.StartsWith("team-daily", e.BudgetName, StringComparison.Ordinal);
        }

        Assert.Single(model.Batches);
        Assert.Equal([CallOutcome.Succeeded, CallOutcome.NotSent], ledger.GetRecords().Select(r => r.Outcome));
        Assert.All(ledger.GetRecords(), r => Assert.Equal(CallKind.Embedding, r.Kind));
    }

    [Fact]
    public async Task Inside_UseOpenTelemetry_the_cost_is_put_on_the_embeddings_span()
    {
        var spans = new List<Activity>();
        const string source = "embeddings-span-test";
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var ledger = new InMemoryCostLedger();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new FakeEmbeddingGenerator())
            .UseOpenTelemetry(sourceName: source)
            .UseCostGovernance(o => o.Ledger = ledger)
            .Build();

        await generator.GenerateAsync(Inputs);

        Activity span = Assert.Single(spans);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal((double)(Cl100k(Inputs) * PerToken), span.GetTagItem(CostGovernanceTelemetry.CostAttribute));
        Assert.Equal(span.TraceId, Assert.Single(ledger.GetRecords()).TraceId);
    }

    [Fact]
    public async Task Registered_with_dependency_injection_it_shares_the_ledger_of_the_chat_client()
    {
        var services = new ServiceCollection();
        var ledger = new InMemoryCostLedger();
        services.AddSingleton<ICostLedger>(ledger);
        services.AddCostGovernance(o => o.RequiredAttribution = AttributionDimensions.Team);
        services.AddChatClient(new FakeChatClient()).UseCostGovernance();
        services.AddEmbeddingGenerator(new FakeEmbeddingGenerator()).UseCostGovernance();
        await using ServiceProvider provider = services.BuildServiceProvider();

        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi");
            await provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(Inputs);
        }

        await Assert.ThrowsAsync<MissingAttributionException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(Inputs));
        Assert.Equal([CallKind.Chat, CallKind.Embedding, CallKind.Embedding], ledger.GetRecords().Select(r => r.Kind));
    }

    [Fact]
    public void Invalid_options_fail_when_the_pipeline_is_built()
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new FakeEmbeddingGenerator())
            .UseCostGovernance(o => o.RequestLimits.MaximumCost = -1m);

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => builder.Build());
    }
}
