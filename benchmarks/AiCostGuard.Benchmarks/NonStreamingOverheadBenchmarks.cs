using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The per-call cost of each middleware in front of a model that answers instantly (a cached, completed task with usage),
/// all variants in one class so their ratios come from one run.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class NonStreamingOverheadBenchmarks
{
    /// <summary>
    /// Calls in one measured invocation of <see cref="GovernedExact"/>, each on a prompt never seen before: its
    /// [IterationSetup] makes BenchmarkDotNet run one invocation per iteration, so this many calls make an iteration of
    /// about 150 ms (at about 37 µs per call).
    /// </summary>
    public const int ExactCallsPerInvocation = 4096;

    /// <summary>
    /// Distinct prompts that <see cref="GovernedCold"/> cycles through. Far from the ceiling they are never tokenized, so
    /// their counts are never cached and every call sees them as new (checked in Cleanup); the pool is small enough to
    /// stay in the CPU cache, as a prompt that was just built would be.
    /// </summary>
    private const int ColdPoolSize = 256;

    private FakeChatClient _inner = null!;
    private IChatClient _passThrough = null!;
    private IChatClient _openTelemetry = null!;
    private IChatClient _governed = null!;
    private IChatClient _governedExact = null!;
    private IChatClient _governedPolicies = null!;
    private AttributionScope? _attribution;
    private IChatClient _routed = null!;
    private InMemoryCostLedger _ledger = null!;
    private TelemetrySdk? _telemetry;
    private BudgetScope? _scope;
    private PromptFactory _prompts = null!;
    private List<ChatMessage> _warm = null!;
    private List<ChatMessage>[] _cold = null!;
    private List<ChatMessage>[] _fresh = [];
    private int _next;

    [GlobalSetup(Targets = [nameof(PassThrough), nameof(GovernedWarm), nameof(GovernedCold)])]
    public void Setup()
    {
        _inner = new FakeChatClient(FakeChatClient.CompletedResponse());
        _ledger = new InMemoryCostLedger(capacity: 1024);
        _passThrough = new ChatClientBuilder(_inner).Use(i => new PassThroughChatClient(i)).Build();

        // A per-request cost ceiling far from binding: $10 against a worst case of about $0.01 for gpt-4o-mini.
        _governed = new ChatClientBuilder(_inner)
            .UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumCost = 10m };
                o.Ledger = _ledger;
            })
            .Build();

        // A tight ceiling: the length bound of a new prompt (3 tokens per character) does not fit 2,000 input tokens,
        // so the prompt must be tokenized; its exact count (about 400 tokens) does fit.
        _governedExact = new ChatClientBuilder(_inner)
            .UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumInputTokens = 2_000 };
                o.Ledger = _ledger;
            })
            .Build();

        _prompts = new PromptFactory(seed: 42);
        _warm = _prompts.Conversation();

        // The conversation was counted before (an earlier turn, or any exact estimate): its strings' counts are cached.
        TokenEstimator.EstimateInputTokens(_warm, FakeChatClient.DefaultModel);
        _cold = new List<ChatMessage>[ColdPoolSize];
        for (int i = 0; i < _cold.Length; i++)
        {
            _cold[i] = _prompts.Conversation();
        }

        // Load the vocabulary and JIT every path before measuring.
        _passThrough.GetResponseAsync(_warm).GetAwaiter().GetResult();
        _governed.GetResponseAsync(_warm).GetAwaiter().GetResult();
        _governedExact.GetResponseAsync(_prompts.Conversation()).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(GovernedExact))]
    public void SetupExact()
    {
        Setup();

        // One invocation per iteration leaves too few calls for tiered compilation to reach the tokenizer's optimized
        // code during warmup: run the exact path a few thousand times first, and give the JIT time to promote it.
        for (int i = 0; i < 3000; i++)
        {
            _governedExact.GetResponseAsync(_prompts.Conversation()).GetAwaiter().GetResult();
        }

        Thread.Sleep(500);
        for (int i = 0; i < 1000; i++)
        {
            _governedExact.GetResponseAsync(_prompts.Conversation()).GetAwaiter().GetResult();
        }
    }

    [GlobalSetup(Target = nameof(OpenTelemetry))]
    public void SetupOpenTelemetry()
    {
        Setup();
        _telemetry = new TelemetrySdk();
        _openTelemetry = new ChatClientBuilder(_inner).UseOpenTelemetry().Build();
        _openTelemetry.GetResponseAsync(_warm).GetAwaiter().GetResult();
        if (_telemetry.SpansExported != 1)
        {
            throw new InvalidOperationException($"The OpenTelemetry SDK exported {_telemetry.SpansExported} spans for one call; expected 1.");
        }
    }

    [GlobalSetup(Target = nameof(GovernedWarmInScope))]
    public void SetupScope()
    {
        Setup();

        // Begun here, on the thread that then runs the benchmark: the AsyncLocal change outlives this synchronous
        // method. Checked in Cleanup through the scope's call count.
        _scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1_000_000m }, "benchmark");
    }

    [GlobalSetup(Target = nameof(GovernedWarmFivePolicies))]
    public void SetupPolicies()
    {
        Setup();
        _governedPolicies = new ChatClientBuilder(_inner)
            .UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumCost = 10m };
                o.Ledger = _ledger;
                o.Policies.Add(new ModelPolicy { Name = "dev-cheap", Match = { Environment = "dev" }, MaximumOutputPerMillion = 1m });
                o.Policies.Add(new ModelPolicy { Name = "prod-priced", Match = { Environment = "prod" }, MaximumOutputPerMillion = 20m, MaximumInputPerMillion = 5m });
                o.Policies.Add(new ModelPolicy { Name = "acme-azure-only", Match = { Tenant = "acme" }, AllowedModels = { "azure/*" } });
                o.Policies.Add(new ModelPolicy { Name = "confidential-approved", Match = { Tags = { ["data"] = "confidential" } }, ApprovedProviders = { "azure" } });
                o.Policies.Add(new ModelPolicy
                {
                    Name = "research-o3",
                    Match = { Team = "research", Models = { "o3" } },
                    CallRate = new PolicyCallRate { MaximumCalls = 20, Window = TimeSpan.FromHours(1) },
                });
            })
            .Build();

        // Ambient for the benchmark's thread, as SetupScope's scope is: every call is attributed and walks all five.
        _attribution = CostAttribution.Begin(new CostAttribution { Team = "search", Environment = "prod", Tenant = "globex" });
        _governedPolicies.GetResponseAsync(_warm).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(GovernedWarmRouted))]
    public void SetupRouted()
    {
        Setup();

        // Four candidates over two tokenizer families (o200k counted, Claude estimated). The call sets no MaxOutputTokens,
        // so each worst case writes its model's maximum output, and gpt-4o-mini, the model asked for, is the cheapest:
        // the route weighs all four and keeps the caller's options.
        _routed = new ChatClientBuilder(_inner)
            .UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumCost = 10m };
                o.Ledger = _ledger;
                o.Routes.Add(new ModelRoute
                {
                    Name = "benchmark",
                    Candidates =
                    {
                        new RouteCandidate { ModelId = "gpt-4o" },
                        new RouteCandidate { ModelId = "gpt-4.1-nano" },
                        new RouteCandidate { ModelId = "claude-haiku-4-5" },
                        new RouteCandidate { ModelId = FakeChatClient.DefaultModel },
                    },
                });
            })
            .Build();
        _routed.GetResponseAsync(_warm).GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(GovernedExact))]
    public void NewPrompts()
    {
        // Never-seen strings for every call of the next invocation; generating them is not measured.
        _fresh = new List<ChatMessage>[ExactCallsPerInvocation];
        for (int i = 0; i < _fresh.Length; i++)
        {
            _fresh[i] = _prompts.Conversation();
        }
    }

    /// <summary>(a) A trivial <see cref="DelegatingChatClient"/>.</summary>
    [Benchmark(Baseline = true, Description = "(a) pass-through")]
    public Task<ChatResponse> PassThrough() => _passThrough.GetResponseAsync(_warm);

    /// <summary>(b) <c>UseOpenTelemetry()</c> with an SDK listener sampling every span.</summary>
    [Benchmark(Description = "(b) UseOpenTelemetry()")]
    public Task<ChatResponse> OpenTelemetry() => _openTelemetry.GetResponseAsync(_warm);

    /// <summary>(c) <c>UseCostGovernance()</c>, prompt already counted, request ceiling far from binding.</summary>
    [Benchmark(Description = "(c) governed, warm")]
    public Task<ChatResponse> GovernedWarm() => _governed.GetResponseAsync(_warm);

    /// <summary>(d) As (c), inside an ambient <see cref="BudgetScope"/>: reserve and commit under the scope's lock.</summary>
    [Benchmark(Description = "(d) governed, warm, in BudgetScope")]
    public Task<ChatResponse> GovernedWarmInScope() => _governed.GetResponseAsync(_warm);

    /// <summary>(e) A new prompt every call, far from its ceiling: bounded by length, not tokenized.</summary>
    [Benchmark(Description = "(e) governed, new text, far from ceiling")]
    public Task<ChatResponse> GovernedCold() => _governed.GetResponseAsync(_cold[_next++ & (ColdPoolSize - 1)]);

    /// <summary>(g) As (c), with five model policies configured: one matches the call and passes, four do not match.</summary>
    [Benchmark(Description = "(g) governed, warm, five policies")]
    public Task<ChatResponse> GovernedWarmFivePolicies() => _governedPolicies.GetResponseAsync(_warm);

    /// <summary>(h) As (c), with a route of four candidates weighed for every call.</summary>
    [Benchmark(Description = "(h) governed, warm, routed among 4 candidates")]
    public Task<ChatResponse> GovernedWarmRouted() => _routed.GetResponseAsync(_warm);

    /// <summary>(f) A new prompt every call under a tight ceiling: tokenized exactly, the first-time cost.</summary>
    [Benchmark(OperationsPerInvoke = ExactCallsPerInvocation, Description = "(f) governed, new text, exact count")]
    public async Task GovernedExact()
    {
        foreach (List<ChatMessage> prompt in _fresh)
        {
            await _governedExact.GetResponseAsync(prompt);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _attribution?.Dispose();
        // Prove each variant measured what it claims, from the ledger the calls were recorded in.
        if (_ledger.TotalRecorded > 0)
        {
            CostRecord last = _ledger.GetRecords()[^1];
            Console.WriteLine($"// AiCostGuard check: {_ledger.TotalRecorded} calls recorded; last: precision {last.EstimatePrecision}, "
                + $"decision {last.Decision}, cost source {last.CostSource}, scope '{last.ScopeName}', model {last.ModelId}, cost {last.Cost}");
        }

        if (_scope is not null)
        {
            Console.WriteLine($"// AiCostGuard check: the BudgetScope begun in GlobalSetup was charged {_scope.ModelCallCount} calls (spent {_scope.Spent.Cost} USD).");
            if (_scope.ModelCallCount < 1000)
            {
                throw new InvalidOperationException("The BudgetScope begun in GlobalSetup did not flow to the benchmark's calls.");
            }

            _scope.Dispose();
        }

        int cached = _cold.Count(p => TiktokenEncoding.O200kBase.TryGetCached(p[1].Text, out _));
        Console.WriteLine($"// AiCostGuard check: {cached} of {_cold.Length} cold prompts were tokenized (expected 0).");
        _telemetry?.Dispose();
    }
}
