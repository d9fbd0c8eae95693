namespace AiCostGuard.Tests.Fakes;

/// <summary>
/// A scripted model for tool loops: while it is offered tools and has steps left, it asks for tool calls; otherwise
/// it answers. It records what every call was sent.
/// </summary>
public sealed class ToolLoopModel : IChatClient
{
    private readonly Lock _sync = new();
    private readonly List<SentCall> _calls = [];
    private int _callIds;

    public int ToolCallsPerStep { get; set; } = 2;

    public int StepsWithTools { get; set; } = int.MaxValue;

    public string Answer { get; set; } = "Here is the final answer.";

    /// <summary>The arguments of every tool call it asks for, read from the first tool's schema: each required property gets a string.</summary>
    public bool FillRequiredArguments { get; set; }

    /// <summary>Runs inside every call, before it answers.</summary>
    public Func<ChatOptions?, CancellationToken, Task>? OnCall { get; set; }

    public IReadOnlyList<SentCall> Calls
    {
        get
        {
            lock (_sync)
            {
                return [.. _calls];
            }
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int step;
        lock (_sync)
        {
            step = _calls.Count;
            _calls.Add(new SentCall(options?.ModelId ?? "gpt-4o-mini", options?.Tools is { Count: > 0 }, options?.MaxOutputTokens));
        }

        if (OnCall is not null)
        {
            await OnCall(options, cancellationToken);
        }

        var usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = Math.Min(options?.MaxOutputTokens ?? 50, 50) };
        if (options?.Tools is { Count: > 0 } tools && step < StepsWithTools)
        {
            var calls = new List<AIContent>();
            for (int i = 0; i < ToolCallsPerStep; i++)
            {
                calls.Add(new FunctionCallContent($"call_{Interlocked.Increment(ref _callIds)}", tools[0].Name, Arguments(tools[0])));
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)) { Usage = usage, ModelId = options.ModelId ?? "gpt-4o-mini" };
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)) { Usage = usage, ModelId = options?.ModelId ?? "gpt-4o-mini" };
    }

    private Dictionary<string, object?> Arguments(AITool tool)
    {
        var arguments = new Dictionary<string, object?>();
        if (FillRequiredArguments && tool is AIFunction function && function.JsonSchema.TryGetProperty("required", out System.Text.Json.JsonElement required))
        {
            foreach (System.Text.Json.JsonElement name in required.EnumerateArray())
            {
                arguments[name.GetString()!] = "Find it.";
            }
        }

        return arguments;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The tool-loop model answers whole responses only.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: "gpt-4o-mini") : null;

    public void Dispose()
    {
    }

    public sealed record SentCall(string ModelId, bool HadTools, int? MaxOutputTokens);
}
