using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The per-stream cost of each middleware over a model streaming <see cref="Updates"/> one-word updates and a final
/// usage update, pre-built and yielded synchronously. Per update: (variant − pass-through) / <see cref="Updates"/>;
/// the run with one update separates the per-stream cost from the per-update cost.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class StreamingOverheadBenchmarks
{
    /// <summary>Gets or sets the text updates of one stream; one more update carries the usage.</summary>
    [Params(1, 100)]
    public int Updates { get; set; } = 100;

    private FakeChatClient _inner = null!;
    private IChatClient _passThrough = null!;
    private IChatClient _openTelemetry = null!;
    private IChatClient _governed = null!;
    private InMemoryCostLedger _ledger = null!;
    private TelemetrySdk? _telemetry;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup(Targets = [nameof(PassThrough), nameof(Governed)])]
    public void Setup()
    {
        _inner = new FakeChatClient(updates: FakeChatClient.Updates(Updates));
        _ledger = new InMemoryCostLedger(capacity: 1024);
        _passThrough = new ChatClientBuilder(_inner).Use(i => new PassThroughChatClient(i)).Build();
        _governed = new ChatClientBuilder(_inner)
            .UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumCost = 10m };
                o.Ledger = _ledger;
            })
            .Build();
        _messages = new PromptFactory(seed: 7).Conversation();
        TokenEstimator.EstimateInputTokens(_messages, FakeChatClient.DefaultModel);
        Check(Consume(_passThrough).AsTask().GetAwaiter().GetResult());
        Check(Consume(_governed).AsTask().GetAwaiter().GetResult());
    }

    [GlobalSetup(Target = nameof(OpenTelemetry))]
    public void SetupOpenTelemetry()
    {
        Setup();
        _telemetry = new TelemetrySdk();
        _openTelemetry = new ChatClientBuilder(_inner).UseOpenTelemetry().Build();
        Check(Consume(_openTelemetry).AsTask().GetAwaiter().GetResult());
        if (_telemetry.SpansExported != 1)
        {
            throw new InvalidOperationException($"The OpenTelemetry SDK exported {_telemetry.SpansExported} spans for one stream; expected 1.");
        }
    }

    /// <summary>A trivial <see cref="DelegatingChatClient"/>.</summary>
    [Benchmark(Baseline = true, Description = "pass-through")]
    public ValueTask<int> PassThrough() => Consume(_passThrough);

    /// <summary><c>UseOpenTelemetry()</c> with an SDK listener sampling every span.</summary>
    [Benchmark(Description = "UseOpenTelemetry()")]
    public ValueTask<int> OpenTelemetry() => Consume(_openTelemetry);

    /// <summary><c>UseCostGovernance()</c>, prompt already counted, request ceiling far from binding.</summary>
    [Benchmark(Description = "UseCostGovernance()")]
    public ValueTask<int> Governed() => Consume(_governed);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_ledger.TotalRecorded > 0)
        {
            CostRecord last = _ledger.GetRecords()[^1];
            Console.WriteLine($"// AiCostGuard check: {_ledger.TotalRecorded} streams recorded; last: {last.InputTokens} in / {last.OutputTokens} out, "
                + $"source {last.CostSource}, decision {last.Decision}, outcome {last.Outcome}");
        }

        _telemetry?.Dispose();
    }

    private async ValueTask<int> Consume(IChatClient client)
    {
        int count = 0;
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(_messages))
        {
            count++;
        }

        return count;
    }

    private void Check(int count)
    {
        if (count != Updates + 1)
        {
            throw new InvalidOperationException($"A stream delivered {count} updates; expected {Updates + 1}.");
        }
    }
}
