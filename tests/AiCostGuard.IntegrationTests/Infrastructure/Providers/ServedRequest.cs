using System.Diagnostics;
using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// One request a <see cref="ProviderLoopbackServer"/> received, and whether the client closed its connection before the
/// answer was complete: <see cref="Closed"/> completes at the moment Kestrel saw the connection go, with its
/// <see cref="Stopwatch"/> timestamp, so a test measures cut-to-close without sleeping.
/// </summary>
public sealed class ServedRequest
{
    private readonly TaskCompletionSource<long> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _deltasSent;

    internal ServedRequest(string path, string body, string? model, bool stream)
    {
        Path = path;
        Body = body;
        Model = model;
        Stream = stream;
    }

    /// <summary>The request path, e.g. <c>/v1/messages</c>.</summary>
    public string Path { get; }

    /// <summary>The request body as received.</summary>
    public string Body { get; }

    /// <summary>The model the request asked for.</summary>
    public string? Model { get; }

    /// <summary>Whether the request asked for a stream.</summary>
    public bool Stream { get; }

    /// <summary>The parsed body, for assertions on provider-specific fields.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>Completes with the <see cref="Stopwatch.GetTimestamp"/> at which the client closed the connection before the answer ended.</summary>
    public Task<long> Closed => _closed.Task;

    /// <summary>Completes when a held stream has sent all it will send and waits for the client to go.</summary>
    public Task Holding => _holding.Task;

    /// <summary>Completes when a stream was sent to its end: the provider generated its whole answer.</summary>
    public Task Completed => _completed.Task;

    /// <summary>The content deltas sent so far.</summary>
    public int DeltasSent => Volatile.Read(ref _deltasSent);

    internal void CountDelta() => Interlocked.Increment(ref _deltasSent);

    internal void MarkCompleted() => _completed.TrySetResult();

    internal void MarkClosed(long timestamp) => _closed.TrySetResult(timestamp);

    internal void MarkHolding() => _holding.TrySetResult();
}
