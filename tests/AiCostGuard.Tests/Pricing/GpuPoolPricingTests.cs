using System.Text;
using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Pricing;

/// <summary>Self-hosted models priced at call time from their GPU pool, as the report allocates the pool.</summary>
public sealed class GpuPoolPricingTests
{
    // An Ollama model id, which no catalog prices.
    private const string Llama = "llama3.1:8b";

    // $3.60 an hour for 1,000 tokens a second: a millionth of a dollar per token.
    private static GpuPool Pool(decimal perHour = 3.6m, double capacity = 1000) =>
        new() { Name = "ollama-a10", CostPerHour = perHour, CapacityTokensPerSecond = capacity, Models = [Llama] };

    private static (CostGovernanceChatClient Client, FakeChatClient Inner, InMemoryCostLedger Ledger, FakeTimeProvider Time) Governed(GpuPool pool, Action<CostGovernanceOptions>? configure = null)
    {
        var inner = new FakeChatClient { ModelId = Llama, Usage = new UsageDetails { InputTokenCount = 300, OutputTokenCount = 200 } };
        var ledger = new InMemoryCostLedger();
        var options = new CostGovernanceOptions { Ledger = ledger };
        options.GpuPools.Add(pool);
        configure?.Invoke(options);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 20, 9, 0, 0, TimeSpan.Zero));
        return (new CostGovernanceChatClient(inner, options, time), inner, ledger, time);
    }

    [Fact]
    public void A_token_costs_its_share_of_the_pool_s_capacity_rounded_down_at_the_18th_decimal()
    {
        Assert.Equal(0.000001m, Pool().CostPerToken);

        // $2.50 / 3600 / 700 = 0.000000992063492063492…
        Assert.Equal(0.000000992063492063m, Pool(perHour: 2.5m, capacity: 700).CostPerToken);
        Assert.Equal(0.000992063492063m, Pool(perHour: 2.5m, capacity: 700).GetCost(1_000));
    }

    [Fact]
    public async Task A_call_to_a_pooled_model_is_charged_its_tokens_share_of_capacity_and_marked_as_pool_priced()
    {
        var (client, _, ledger, _) = Governed(Pool());

        await client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });

        CostRecord record = ledger.GetRecords()[^1];
        Assert.Equal((500 * 0.000001m, CostSource.ProviderReported), (record.Cost, record.CostSource));
        Assert.True(record.PricingNotes.HasFlag(PricingNotes.GpuPool));
        Assert.Equal("ollama-a10", client.Catalog.Models[Llama].GpuPool);
    }

    [Fact]
    public async Task A_json_lines_ledger_keeps_the_pool_as_the_price_source()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-pool-").FullName;
        try
        {
            await using (var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
            {
                var (client, _, _, _) = Governed(Pool(), o => o.Ledger = file);
                await client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });
            }

            CostRecord record = Assert.Single(CostLedgerReader.Read(dir).Calls);
            Assert.Equal((PricingNotes.GpuPool, 0.0005m), (record.PricingNotes, record.Cost));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_model_no_catalog_prices_is_refused_unless_a_pool_serves_it()
    {
        var unpooled = new CostGovernanceChatClient(new FakeChatClient { ModelId = Llama });

        await Assert.ThrowsAsync<UnknownModelException>(() => unpooled.GetResponseAsync(Fakes.Governed.Prompt()));
    }

    [Fact]
    public async Task The_worst_case_is_priced_from_the_pool_before_the_call_so_a_ceiling_holds()
    {
        var (client, inner, ledger, _) = Governed(Pool(), o => o.RequestLimits.MaximumCost = 0.001m);
        long input = client.Quote(Fakes.Governed.Prompt()).InputTokens;

        // The quote prices the input reserved and the output from the pool, a millionth of a dollar a token.
        CostQuote quote = client.Quote(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 2_000 });
        long reservedInput = (long)(quote.WorstCaseCost!.Value / 0.000001m) - 2_000;
        Assert.Equal((reservedInput + 2_000) * 0.000001m, quote.WorstCaseCost);
        Assert.InRange(reservedInput, input, input * 2);
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 2_000 }));
        Assert.Equal((BudgetLimitKind.Cost, 0.001m), (e.LimitKind, e.Limit));
        Assert.Equal(0, inner.Calls);

        // A call whose worst case is exactly the $0.001 ceiling is sent, and settles at what it used.
        await client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = (int)(1_000 - reservedInput) });
        Assert.Equal(1, inner.Calls);
        Assert.Equal(0.0005m, ledger.GetRecords()[^1].Cost);
    }

    [Fact]
    public async Task A_period_budget_on_a_pooled_model_holds_and_settles_with_the_pool_s_charge()
    {
        var store = new InMemoryBudgetStore();
        var (client, inner, ledger, time) = Governed(Pool(), o =>
        {
            o.BudgetStore = store;
            o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "team-daily", Period = BudgetPeriod.Daily, Dimensions = AttributionDimensions.Team, Limits = { MaximumCost = 0.0025m } });
        });

        using (CostAttribution.Begin(new CostAttribution { Team = "support" }))
        {
            for (int i = 0; i < 3; i++)
            {
                await client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });
            }

            // $0.0015 spent; the next call's worst case (its input and 500 output tokens) no longer fits $0.0025.
            await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 }));
        }

        Assert.Equal(3, inner.Calls);
        BudgetWindow window = new PeriodBudget(new PeriodBudgetOptions { Name = "team-daily", Period = BudgetPeriod.Daily, Limits = { MaximumCost = 1m } }).Window("team-daily|team=support", time.GetUtcNow());
        Assert.Equal(0.0015m, (await store.GetUsageAsync(window)).Committed.Cost);
        Assert.Equal(0.0015m, ledger.GetRecords().Sum(r => r.Cost));
    }

    [Property(MaxTest = 50)]
    public Property The_report_allocates_each_consumer_what_its_calls_were_charged_and_the_rest_is_idle()
    {
        Gen<(int Cents, int Capacity, (int Team, int Input, int Output, int Hours)[] Calls)> runs =
            from cents in Gen.Choose(1, 1_000)
            from capacity in Gen.Choose(1, 5_000)
            from calls in (from team in Gen.Choose(0, 3) from input in Gen.Choose(1, 3_000) from output in Gen.Choose(1, 3_000) from hours in Gen.Choose(0, 30) select (team, input, output, hours)).ArrayOf()
            select (cents, capacity, calls);
        return Prop.ForAll(runs.ToArbitrary(), run =>
        {
            GpuPool pool = Pool(perHour: run.Cents / 100m, capacity: run.Capacity);
            var (client, inner, ledger, time) = Governed(pool);
            foreach ((int team, int input, int output, int hours) in run.Calls)
            {
                time.Advance(TimeSpan.FromHours(hours));
                inner.Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output };
                using (CostAttribution.Begin(new CostAttribution { Team = "team-" + team }))
                {
                    client.GetResponseAsync(Fakes.Governed.Prompt(), new ChatOptions { MaxOutputTokens = 3_000 }).GetAwaiter().GetResult();
                }
            }

            IReadOnlyList<CostRecord> records = ledger.GetRecords();
            IReadOnlyList<GpuPoolAllocation> allocations = GpuPoolAllocation.Create(records, [pool]);
            if (records.Count == 0)
            {
                return (allocations.Count == 0).Label("no calls, no allocation");
            }

            GpuPoolAllocation allocation = Assert.Single(allocations);
            bool agrees = allocation.Consumers.All(c => c.Cost == records.Where(r => r.Attribution.Team == c.Key["team"]).Sum(r => r.Cost));
            bool pooled = records.All(r => r.PricingNotes.HasFlag(PricingNotes.GpuPool) && r.Cost == pool.GetCost(r.InputTokens + r.OutputTokens));
            return (allocation.CapacityTokens < records.Sum(r => r.InputTokens + r.OutputTokens) || agrees).Label("allocation = call-time charges")
                .And(pooled.Label("each call charged at the pool's rate"))
                .And((allocation.Consumers.Sum(c => c.Cost) + allocation.Idle == allocation.Cost).Label("allocation + idle = the pool's cost"));
        });
    }

    [Fact]
    public async Task Pools_bind_from_configuration()
    {
        using ServiceProvider provider = Start("""
            { "AiCostGuard": { "GpuPools": [ { "Name": "ollama-a10", "CostPerHour": 3.6, "CapacityTokensPerSecond": 1000, "Models": [ "llama3.1:8b" ] } ] } }
            """);

        provider.GetRequiredService<IStartupValidator>().Validate();
        GpuPool pool = Assert.Single(provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.GpuPools);
        Assert.Equal(("ollama-a10", 3.6m, 1000d, Llama), (pool.Name, pool.CostPerHour, pool.CapacityTokensPerSecond, Assert.Single(pool.Models)));

        await provider.GetRequiredService<IChatClient>().GetResponseAsync(Fakes.Governed.Prompt());
        CostRecord record = provider.GetRequiredService<InMemoryCostLedger>().GetRecords()[^1];
        Assert.Equal(0.0005m, record.Cost);
    }

    [Theory]
    [InlineData("""[ { "Name": "a", "CostPerHour": 1, "CapacityTokensPerSecond": -5, "Models": [ "llama3.1:8b" ] } ]""", "GpuPools[0].capacityTokensPerSecond: -5 is not a positive number of tokens per second.")]
    [InlineData("""[ { "Name": "a", "CostPerHour": -1, "CapacityTokensPerSecond": 5, "Models": [ "llama3.1:8b" ] } ]""", "GpuPools[0].costPerHour: -1 is negative.")]
    [InlineData("""[ { "Name": "a", "CostPerHour": 1, "CapacityTokensPerSecond": 5, "Models": [ "llama3.1:8b" ] }, { "Name": "b", "CostPerHour": 1, "CapacityTokensPerSecond": 5, "Models": [ "LLAMA3.1:8b" ] } ]""", "GpuPools[1].models: 'LLAMA3.1:8b' is already served by pool 'a'; pools for one model may not overlap.")]
    public void An_invalid_pool_in_configuration_is_one_startup_error_naming_the_field(string pools, string problem)
    {
        using ServiceProvider provider = Start($$"""{ "AiCostGuard": { "GpuPools": {{pools}} } }""");

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([problem], e.Failures);
    }

    [Fact]
    public void A_model_priced_both_by_a_pool_and_in_prices_is_an_error()
    {
        var options = new CostGovernanceOptions();
        options.GpuPools.Add(Pool());
        options.Prices[Llama] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 1m };

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new CostGovernanceChatClient(new FakeChatClient(), options));

        Assert.Equal(["GpuPools[0].models: 'llama3.1:8b' also has a price in Prices; a model is priced by its pool or by its price, not both."], e.Failures);
    }

    private static ServiceProvider Start(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        services.AddChatClient(new FakeChatClient { ModelId = Llama, Usage = new UsageDetails { InputTokenCount = 300, OutputTokenCount = 200 } }).UseCostGovernance();
        return services.BuildServiceProvider();
    }
}
