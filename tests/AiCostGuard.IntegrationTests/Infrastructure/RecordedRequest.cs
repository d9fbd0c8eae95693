namespace AiCostGuard.IntegrationTests.Infrastructure;

/// <summary>
/// One HTTP request as <see cref="OpenAiLoopbackServer"/> received it: the raw body for anything
/// unusual, plus the fields cost-governance tests assert on most, already parsed.
/// </summary>
public sealed class RecordedRequest
{
    /// <summary>When the server finished reading the request, e.g. to measure retry back-off.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The HTTP method, e.g. <c>POST</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The absolute path, e.g. <c>/v1/chat/completions</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Request headers (case-insensitive names; repeated headers joined with commas).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The request body exactly as received.</summary>
    public required string Body { get; init; }

    /// <summary>The <c>model</c> field, <see langword="null"/> when absent or the body is not JSON.</summary>
    public string? Model { get; init; }

    /// <summary><see langword="true"/> when the body has <c>"stream": true</c>.</summary>
    public bool Stream { get; init; }

    /// <summary><see langword="true"/> when the body has <c>"stream_options": {"include_usage": true}</c>.</summary>
    public bool StreamIncludeUsage { get; init; }

    /// <summary>
    /// The <c>max_completion_tokens</c> field: where the OpenAI SDK puts
    /// <c>ChatOptions.MaxOutputTokens</c>.
    /// </summary>
    public int? MaxCompletionTokens { get; init; }

    /// <summary>The legacy <c>max_tokens</c> field, which the current SDK no longer sends.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>
    /// Whichever output cap was sent (<c>max_completion_tokens</c> first), so a test need not care
    /// which of the two the SDK used.
    /// </summary>
    public int? EffectiveMaxOutputTokens => MaxCompletionTokens ?? MaxTokens;

    /// <summary>The number of entries in <c>messages</c>.</summary>
    public int MessageCount { get; init; }

    /// <summary>The <c>function.name</c> of every entry in <c>tools</c>, in order.</summary>
    public IReadOnlyList<string> ToolNames { get; init; } = [];

    /// <summary><see langword="true"/> when a non-empty <c>tools</c> array was sent.</summary>
    public bool HasTools { get; init; }
}
