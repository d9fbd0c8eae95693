namespace AiCostGuard.IntegrationTests.Infrastructure;

/// <summary>
/// One scripted answer of <see cref="OpenAiLoopbackServer"/>. Each incoming chat-completions request
/// consumes exactly one queued reply, whether it is answered as JSON or as a server-sent-event stream,
/// so the same script can drive both <c>GetResponseAsync</c> and <c>GetStreamingResponseAsync</c>.
/// </summary>
public sealed class LoopbackReply
{
    /// <summary>
    /// The assistant text. <see langword="null"/> sends <c>"content": null</c> when the reply carries
    /// tool calls (as OpenAI does) and an empty string otherwise.
    /// </summary>
    public string? Text { get; init; }

    /// <summary>Function calls the assistant requests; non-empty switches <c>finish_reason</c> to <c>tool_calls</c>.</summary>
    public IReadOnlyList<LoopbackToolCall> ToolCalls { get; init; } = [];

    /// <summary>Reported <c>usage.prompt_tokens</c> (input tokens, cached ones included, as OpenAI counts them).</summary>
    public int PromptTokens { get; init; } = 10;

    /// <summary>Reported <c>usage.completion_tokens</c> (output tokens, reasoning ones included).</summary>
    public int CompletionTokens { get; init; } = 5;

    /// <summary>
    /// Reported <c>usage.prompt_tokens_details.cached_tokens</c>; <see langword="null"/> omits the
    /// whole <c>prompt_tokens_details</c> object to imitate providers that do not report it.
    /// </summary>
    public int? CachedTokens { get; init; } = 0;

    /// <summary>
    /// Reported <c>usage.completion_tokens_details.reasoning_tokens</c>; <see langword="null"/> omits the
    /// whole <c>completion_tokens_details</c> object.
    /// </summary>
    public int? ReasoningTokens { get; init; } = 0;

    /// <summary>
    /// The model echoed in the response (OpenAI answers with the resolved snapshot, e.g.
    /// <c>gpt-4o-2024-08-06</c>, not the alias the client asked for). <see langword="null"/> echoes the requested model.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>
    /// <see langword="false"/> leaves <c>usage</c> out entirely (non-streaming) or skips the final usage chunk
    /// (streaming), to test how missing usage is handled.
    /// </summary>
    public bool IncludeUsage { get; init; } = true;

    /// <summary>
    /// HTTP status. Anything but 200 is answered with an OpenAI-style <c>{"error": {...}}</c> body,
    /// also for streaming requests, because OpenAI rejects before it starts a stream.
    /// </summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>The <c>error.message</c> of a non-200 reply; a generic message when <see langword="null"/>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The <c>error.type</c> of a non-200 reply; derived from <see cref="StatusCode"/> when <see langword="null"/>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The <c>error.code</c> of a non-200 reply; derived from <see cref="StatusCode"/> when <see langword="null"/>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Extra response headers, e.g. <c>retry-after</c> on a 429.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Overrides <c>finish_reason</c> (e.g. <c>length</c> to imitate a truncated answer); by default it is
    /// <c>tool_calls</c> when <see cref="ToolCalls"/> is non-empty and <c>stop</c> otherwise.
    /// </summary>
    public string? FinishReason { get; init; }

    /// <summary>
    /// Streaming only: the exact content pieces to send, overriding <see cref="ChunkCount"/> and the
    /// one-chunk-per-word default. Non-streaming answers still use <see cref="Text"/>.
    /// </summary>
    public IReadOnlyList<string>? Chunks { get; init; }

    /// <summary>
    /// Streaming only: split <see cref="Text"/> into this many pieces of near-equal length instead of
    /// one piece per word.
    /// </summary>
    public int? ChunkCount { get; init; }

    /// <summary>Streaming only: pause before each delta chunk, so a test can act while the stream is in flight.</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Pause before anything is sent (status line included), to imitate a slow provider.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Streaming only: after this many delta chunks (content pieces and tool-call deltas; the initial
    /// role chunk is not counted) the server drops the connection before the body it announced is
    /// complete, the way a provider that dies mid-answer does, so the client's read fails. A value at
    /// or above the number of deltas cuts the stream just before the <c>finish_reason</c> chunk.
    /// At most one of <see cref="FailAfterChunks"/>, <see cref="HoldOpenAfterChunks"/> and
    /// <see cref="TruncateAfterChunks"/> may be set.
    /// </summary>
    public int? FailAfterChunks { get; init; }

    /// <summary>
    /// Streaming only: after this many delta chunks (counted as for <see cref="FailAfterChunks"/>) the
    /// server ends the response cleanly, without <c>finish_reason</c>, usage or <c>[DONE]</c>, as a
    /// proxy that cuts a stream would. The OpenAI SDK reports no error for this; the stream just ends.
    /// </summary>
    public int? TruncateAfterChunks { get; init; }

    /// <summary>
    /// Streaming only: after this many delta chunks (counted as for <see cref="FailAfterChunks"/>) the
    /// server sends no further event and keeps the response open until the client goes away or the
    /// server is disposed. It writes SSE comment lines meanwhile, which clients ignore, because a
    /// closed TCP peer is only noticed when a write fails. Disposing the server ends a held stream
    /// cleanly from the client's point of view (no exception, no finish reason).
    /// </summary>
    public int? HoldOpenAfterChunks { get; init; }

    /// <summary>A rate-limit reply (429) with an OpenAI-shaped error body.</summary>
    /// <param name="retryAfterSeconds">When set, sent as the <c>retry-after</c> header.</param>
    /// <returns>The scripted reply.</returns>
    public static LoopbackReply RateLimited(int? retryAfterSeconds = null) => new()
    {
        StatusCode = 429,
        ErrorMessage = "Rate limit reached (loopback).",
        Headers = retryAfterSeconds is int seconds
            ? new Dictionary<string, string> { ["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : new Dictionary<string, string>(),
    };

    /// <summary>An error reply with an OpenAI-shaped error body.</summary>
    /// <param name="statusCode">The HTTP status, e.g. 500 or 400.</param>
    /// <param name="message">The <c>error.message</c>; a generic one when <see langword="null"/>.</param>
    /// <returns>The scripted reply.</returns>
    public static LoopbackReply Error(int statusCode, string? message = null) => new()
    {
        StatusCode = statusCode,
        ErrorMessage = message,
    };
}
