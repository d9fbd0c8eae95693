using System.Collections;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// A model that answers instantly: a cached, already-completed response task, or pre-built streaming updates yielded by
/// an async iterator that completes synchronously. Only the middleware in front of it is measured.
/// </summary>
internal sealed class FakeChatClient(Task<ChatResponse>? response = null, ChatResponseUpdate[]? updates = null) : IChatClient
{
    public const string Provider = "fake";
    public const string DefaultModel = "gpt-4o-mini";

    /// <summary>The resolved snapshot the provider reports, as OpenAI does.</summary>
    public const string ReportedModel = "gpt-4o-mini-2024-07-18";

    private readonly ChatClientMetadata _metadata = new(Provider, providerUri: null, DefaultModel);
    private readonly Task<ChatResponse>? _response = response;
    private readonly ChatResponseUpdate[] _updates = updates ?? [];

    /// <summary>A response with usage: 1,200 input tokens (200 of them cached) and 300 output tokens.</summary>
    public static Task<ChatResponse> CompletedResponse() =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris is the capital of France."))
        {
            ModelId = ReportedModel,
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage(),
        });

    /// <summary><paramref name="count"/> updates of one short word each, then one carrying the usage.</summary>
    public static ChatResponseUpdate[] Updates(int count)
    {
        var updates = new ChatResponseUpdate[count + 1];
        for (int i = 0; i < count; i++)
        {
            updates[i] = new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? "Word" : " word") { ModelId = ReportedModel, ResponseId = "r1", MessageId = "m1" };
        }

        updates[count] = new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage())])
        {
            ModelId = ReportedModel,
            ResponseId = "r1",
            MessageId = "m1",
            FinishReason = ChatFinishReason.Stop,
        };
        return updates;
    }

    private static UsageDetails Usage() => new()
    {
        InputTokenCount = 1_200,
        OutputTokenCount = 300,
        TotalTokenCount = 1_500,
        CachedInputTokenCount = 200,
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _response ?? throw new InvalidOperationException("This fake does not answer non-streaming calls.");

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Stream(cancellationToken);

    private async IAsyncEnumerable<ChatResponseUpdate> Stream([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Completes synchronously: no await ever suspends, so only the consumers' own work is measured.
        await Task.CompletedTask;
        foreach (ChatResponseUpdate update in _updates)
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

/// <summary>The trivial middleware every variant is compared with.</summary>
internal sealed class PassThroughChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient);

/// <summary>An OpenTelemetry SDK listening to every source and meter, sampling every span, exporting in memory to nowhere.</summary>
internal sealed class TelemetrySdk : IDisposable
{
    private readonly DiscardingCollection<Activity> _spans = new();
    private readonly DiscardingCollection<Metric> _metrics = new();
    private readonly TracerProvider _tracerProvider;
    private readonly MeterProvider _meterProvider;

    public TelemetrySdk()
    {
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource("*")
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_spans)
            .Build();

        // Microsoft.Extensions.AI also records gen_ai.client.operation.duration and gen_ai.client.token.usage
        // (and, when streaming, time_to_first_chunk and time_per_output_chunk): listen to them as an app would.
        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("*")
            .AddInMemoryExporter(_metrics)
            .Build();
    }

    /// <summary>Gets how many spans were exported.</summary>
    public long SpansExported => _spans.Added;

    public void Dispose()
    {
        _tracerProvider.Dispose();
        _meterProvider.Dispose();
    }
}

/// <summary>A collection that counts what is added to it and keeps nothing, so millions of spans cost no memory.</summary>
internal sealed class DiscardingCollection<T> : ICollection<T>
{
    public long Added { get; private set; }

    public int Count => 0;

    public bool IsReadOnly => false;

    public void Add(T item) => Added++;

    public void Clear()
    {
    }

    public bool Contains(T item) => false;

    public void CopyTo(T[] array, int arrayIndex)
    {
    }

    public bool Remove(T item) => false;

    public IEnumerator<T> GetEnumerator() => Enumerable.Empty<T>().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Deterministic English-like prompt text; every call returns new string instances.</summary>
internal sealed class PromptFactory(int seed)
{
    private static readonly string[] Words =
    [
        "the", "customer", "order", "invoice", "shipping", "address", "please", "help", "me", "understand", "why", "my",
        "payment", "was", "declined", "yesterday", "and", "what", "I", "should", "do", "next", "to", "resolve", "it",
        "account", "balance", "refund", "policy", "within", "thirty", "days", "of", "purchase", "receipt", "product",
        "warranty", "covers", "manufacturing", "defects", "but", "not", "accidental", "damage", "you", "can", "request",
        "a", "replacement", "from", "support", "portal", "after", "logging", "in", "with", "your", "email", "password",
        "reset", "link", "expires", "in", "one", "hour", "summary", "report", "quarterly", "revenue", "growth", "region",
        "Europe", "Asia", "America", "forecast", "budget", "team", "meeting", "schedule", "tomorrow", "morning", "agenda",
        "includes", "review", "roadmap", "priorities", "risks", "dependencies", "deadline", "release", "version",
        "feature", "flag", "rollout", "percentage", "metrics", "latency", "errors", "dashboard", "alert", "threshold",
        "database", "migration", "index", "query", "performance", "cache", "hit", "ratio", "memory", "usage", "CPU",
        "container", "cluster", "deployment", "pipeline", "build", "failed", "because", "test", "timeout", "retry",
        "translate", "this", "paragraph", "into", "French", "keep", "tone", "formal", "concise", "friendly", "explain",
        "step", "by", "assistant", "answer", "question", "context", "document", "section", "table", "figure", "appendix",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A system, user, assistant, user conversation of about 320 words (about 1,900 characters).</summary>
    public List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, Text(60)),
        new(ChatRole.User, Text(120)),
        new(ChatRole.Assistant, Text(100)),
        new(ChatRole.User, Text(40)),
    ];

    /// <summary>A history of <paramref name="count"/> alternating user and assistant messages of about 50 words each.</summary>
    public List<ChatMessage> History(int count)
    {
        var messages = new List<ChatMessage>(count) { new(ChatRole.System, Text(50)) };
        for (int i = 1; i < count; i++)
        {
            messages.Add(new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, Text(50)));
        }

        return messages;
    }

    public string Text(int words)
    {
        var text = new StringBuilder(words * 7);
        for (int i = 0; i < words; i++)
        {
            if (i > 0)
            {
                text.Append(i % 13 == 0 ? ". " : i % 7 == 0 ? ", " : " ");
            }

            text.Append(Words[_random.Next(Words.Length)]);
        }

        return text.Append('.').ToString();
    }
}
