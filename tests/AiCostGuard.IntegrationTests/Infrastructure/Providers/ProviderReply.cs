namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// One scripted answer of a <see cref="ProviderLoopbackServer"/>, whatever provider's wire format it is sent in. Each
/// request consumes one, answered whole or as a stream as the request asks.
/// </summary>
public sealed record ProviderReply
{
    /// <summary>The answer's text; streamed one word (with its leading space) per delta.</summary>
    public string Text { get; init; } = "ok";

    /// <summary>What the provider reports it used; <see langword="null"/> reports nothing.</summary>
    public ScriptedUsage? Usage { get; init; } = new() { Input = 10, Output = 5 };

    /// <summary>The model the response names; <see langword="null"/> echoes the model asked for.</summary>
    public string? Model { get; init; }

    /// <summary>An HTTP status other than 200 answers with the provider's error body.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Streaming only: after this many deltas the server sends nothing more and holds the response open until the client goes away.</summary>
    public int? HoldOpenAfterDeltas { get; init; }

    /// <summary>With <see cref="HoldOpenAfterDeltas"/>: once this completes the held stream goes on with the rest of the answer.</summary>
    public Task? ResumeWhen { get; init; }

    /// <summary>Streaming only: after this many deltas the server aborts the connection, as a provider dying mid-answer does.</summary>
    public int? FailAfterDeltas { get; init; }

    /// <summary>
    /// With <see cref="FailAfterDeltas"/>: the server fails only once this completes, so a test can make a stream fail
    /// after its client has handed the first deltas on (a client may otherwise retry a stream that failed before it
    /// yielded anything).
    /// </summary>
    public Task? FailWhen { get; init; }
}
