using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// The per-call cost of telemetry and the JSON Lines ledger on top of <c>UseCostGovernance()</c>: no listener, an
/// OpenTelemetry SDK listener sampling every span and listening to every meter, the JSON Lines sink on, and both, next
/// to a pass-through client and <c>UseOpenTelemetry()</c> alone.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class TelemetryLedgerOverheadBenchmarks
{
    /// <summary>
    /// Calls per measured burst of <see cref="GovernedFileHandOff"/>: well under the JSON Lines queue's capacity of
    /// 10,000, so the burst measures handing records to the writer, which then drains them outside the measurement.
    /// </summary>
    public const int HandOffBurst = 2_000;

    private FakeChatClient _inner = null!;
    private IChatClient _client = null!;
    private InMemoryCostLedger _memory = null!;
    private JsonLinesCostLedger? _file;
    private TelemetrySdk? _telemetry;
    private string? _directory;
    private List<ChatMessage> _warm = null!;

    [GlobalSetup(Target = nameof(PassThrough))]
    public void SetupPassThrough() => Build(passThrough: true, listener: false, file: false, openTelemetry: false);

    [GlobalSetup(Target = nameof(OpenTelemetryOnly))]
    public void SetupOpenTelemetryOnly() => Build(passThrough: true, listener: true, file: false, openTelemetry: true);

    [GlobalSetup(Target = nameof(Governed))]
    public void SetupGoverned() => Build(passThrough: false, listener: false, file: false, openTelemetry: false);

    [GlobalSetup(Target = nameof(GovernedListened))]
    public void SetupGovernedListened() => Build(passThrough: false, listener: true, file: false, openTelemetry: false);

    [GlobalSetup(Target = nameof(GovernedFile))]
    public void SetupGovernedFile() => Build(passThrough: false, listener: false, file: true, openTelemetry: false);

    [GlobalSetup(Target = nameof(GovernedListenedFile))]
    public void SetupGovernedListenedFile() => Build(passThrough: false, listener: true, file: true, openTelemetry: false);

    [GlobalSetup(Target = nameof(OpenTelemetryGovernedFile))]
    public void SetupOpenTelemetryGovernedFile() => Build(passThrough: false, listener: true, file: true, openTelemetry: true);

    [GlobalSetup(Target = nameof(OpenTelemetryGoverned))]
    public void SetupOpenTelemetryGoverned() => Build(passThrough: false, listener: true, file: false, openTelemetry: true);

    [GlobalSetup(Target = nameof(GovernedFileHandOff))]
    public void SetupGovernedFileHandOff() => Build(passThrough: false, listener: false, file: true, openTelemetry: false);

    [GlobalSetup(Targets = [nameof(BareSpan), nameof(OneHistogramMeasurement)])]
    public void SetupFloor() => Build(passThrough: true, listener: true, file: false, openTelemetry: false);

    [IterationCleanup(Target = nameof(GovernedFileHandOff))]
    public void DrainLedger() => _file!.FlushAsync().GetAwaiter().GetResult();

    /// <summary>(a) A trivial <see cref="DelegatingChatClient"/>.</summary>
    [Benchmark(Baseline = true, Description = "(a) pass-through")]
    public Task<ChatResponse> PassThrough() => _client.GetResponseAsync(_warm);

    /// <summary>(b) <c>UseOpenTelemetry()</c> alone, SDK listening.</summary>
    [Benchmark(Description = "(b) UseOpenTelemetry(), SDK listening")]
    public Task<ChatResponse> OpenTelemetryOnly() => _client.GetResponseAsync(_warm);

    /// <summary>(c) Governed, nobody listening, in-memory ledger: the foundation's figure.</summary>
    [Benchmark(Description = "(c) governed, no listener")]
    public Task<ChatResponse> Governed() => _client.GetResponseAsync(_warm);

    /// <summary>(d) Governed with the SDK listening: a span of the library's own source and the metrics, per call.</summary>
    [Benchmark(Description = "(d) governed, SDK listening")]
    public Task<ChatResponse> GovernedListened() => _client.GetResponseAsync(_warm);

    /// <summary>(e) Governed with the JSON Lines sink beside the in-memory ledger.</summary>
    [Benchmark(Description = "(e) governed, JSON Lines sink")]
    public Task<ChatResponse> GovernedFile() => _client.GetResponseAsync(_warm);

    /// <summary>(f) Governed with the SDK listening and the JSON Lines sink on.</summary>
    [Benchmark(Description = "(f) governed, SDK listening + JSON Lines")]
    public Task<ChatResponse> GovernedListenedFile() => _client.GetResponseAsync(_warm);

    /// <summary>(g) <c>UseOpenTelemetry()</c> outside the governed client (cost on its chat span), SDK listening, JSON Lines on.</summary>
    [Benchmark(Description = "(g) UseOpenTelemetry() + governed + JSON Lines")]
    public Task<ChatResponse> OpenTelemetryGovernedFile() => _client.GetResponseAsync(_warm);

    /// <summary>(h) <c>UseOpenTelemetry()</c> outside the governed client, SDK listening: governance's cost on top of the chat span.</summary>
    [Benchmark(Description = "(h) UseOpenTelemetry() + governed")]
    public Task<ChatResponse> OpenTelemetryGoverned() => _client.GetResponseAsync(_warm);

    /// <summary>
    /// (i) Governed with the JSON Lines sink on, in bursts the queue holds, the writer draining between bursts: what a call
    /// pays to hand its record over while the writer works beside it on the other core. (e) measures the writer's throughput.
    /// </summary>
    [Benchmark(OperationsPerInvoke = HandOffBurst, Description = "(i) governed, JSON Lines hand-off")]
    public async Task GovernedFileHandOff()
    {
        for (int i = 0; i < HandOffBurst; i++)
        {
            await _client.GetResponseAsync(_warm);
        }
    }

    /// <summary>
    /// (j) One span of an <see cref="System.Diagnostics.ActivitySource"/> started and stopped with no tag, SDK listening:
    /// the least a call that has a span of its own pays, whatever library makes it. A floor for (d), not a variant.
    /// </summary>
    [Benchmark(Description = "(j) floor: a bare span, SDK listening")]
    public void BareSpan() => FloorSource.StartActivity("chat", System.Diagnostics.ActivityKind.Client)!.Stop();

    /// <summary>(k) One histogram measurement with four tags, SDK listening: what each instrument a call records adds.</summary>
    [Benchmark(Description = "(k) floor: one 4-tag histogram measurement, SDK listening")]
    public void OneHistogramMeasurement() => FloorHistogram.Record(0.0004, new System.Diagnostics.TagList
    {
        { "gen_ai.request.model", "gpt-4o-mini" },
        { "team", "search" },
        { "feature", "answer" },
        { "source", "provider_reported" },
    });

    private static readonly System.Diagnostics.ActivitySource FloorSource = new("AiCostGuard.Benchmarks.Floor");

    private static readonly System.Diagnostics.Metrics.Meter FloorMeter = new("AiCostGuard.Benchmarks.Floor");

    private static readonly System.Diagnostics.Metrics.Histogram<double> FloorHistogram = FloorMeter.CreateHistogram<double>("floor.cost");

    [GlobalCleanup]
    public void Cleanup()
    {
        _file?.Dispose();
        if (_directory is not null)
        {
            LedgerContents written = CostLedgerReader.Read(_directory);
            Console.WriteLine($"// AiCostGuard check: {_memory.TotalRecorded} calls recorded in memory, {written.Calls.Count} in the JSON Lines files, {written.SkippedLines.Count} lines skipped.");
            Directory.Delete(_directory, recursive: true);
        }

        if (_telemetry is not null)
        {
            Console.WriteLine($"// AiCostGuard check: the SDK exported {_telemetry.SpansExported} spans.");
        }

        _telemetry?.Dispose();
    }

    private void Build(bool passThrough, bool listener, bool file, bool openTelemetry)
    {
        _inner = new FakeChatClient(FakeChatClient.CompletedResponse());
        _memory = new InMemoryCostLedger(capacity: 1024);
        _warm = new PromptFactory(seed: 42).Conversation();
        TokenEstimator.EstimateInputTokens(_warm, FakeChatClient.DefaultModel);
        if (listener)
        {
            _telemetry = new TelemetrySdk();
        }

        ICostLedger ledger = _memory;
        if (file)
        {
            _directory = Directory.CreateTempSubdirectory("aicostguard-bench-").FullName;
            _file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = _directory });
            ledger = new CompositeCostLedger(_memory, _file);
        }

        ChatClientBuilder builder = new ChatClientBuilder(_inner);
        if (openTelemetry)
        {
            builder.UseOpenTelemetry();
        }

        if (passThrough)
        {
            builder.Use(i => new PassThroughChatClient(i));
        }
        else
        {
            builder.UseCostGovernance(o =>
            {
                o.RequestLimits = new BudgetLimits { MaximumCost = 10m };
                o.Ledger = ledger;
            });
        }

        _client = builder.Build();
        _client.GetResponseAsync(_warm).GetAwaiter().GetResult();
    }
}
