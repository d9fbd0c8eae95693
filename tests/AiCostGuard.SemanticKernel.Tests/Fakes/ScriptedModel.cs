namespace AiCostGuard.SemanticKernel.Tests.Fakes;

/// <summary>
/// A scripted model: for each of its first steps it asks for the tools named in <see cref="Steps"/> (matched against the
/// tools it was offered, by name suffix), then answers with text. Every call reports fixed usage.
/// </summary>
public sealed class ScriptedModel : IChatClient
{
    private readonly Lock _sync = new();
    private readonly List<ChatOptions?> _received = [];

    public string ModelId { get; init; } = "gpt-4o-mini";

    /// <summary>The tools asked for at each step; a step past the end answers with <see cref="Answer"/>.</summary>
    public IReadOnlyList<string[]> Steps { get; init; } = [];

    public string Answer { get; init; } = "Done.";

    public long InputTokens { get; init; } = 1000;

    public long OutputTokens { get; init; } = 100;

    public int Calls
    {
        get
        {
            lock (_sync)
            {
                return _received.Count;
            }
        }
    }

    public IReadOnlyList<ChatOptions?> Received
    {
        get
        {
            lock (_sync)
            {
                return [.. _received];
            }
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int step;
        lock (_sync)
        {
            step = _received.Count;
            _received.Add(options);
        }

        var usage = new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens, TotalTokenCount = InputTokens + OutputTokens };
        string model = options?.ModelId ?? ModelId;
        if (step < Steps.Count && options?.Tools is { Count: > 0 } tools)
        {
            var calls = new List<AIContent>();
            int n = 0;
            foreach (string wanted in Steps[step])
            {
                AITool tool = tools.First(t => t.Name.EndsWith(wanted, StringComparison.Ordinal));
                calls.Add(new Microsoft.Extensions.AI.FunctionCallContent($"call-{step}-{n++}", tool.Name, new Dictionary<string, object?>()));
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)) { ModelId = model, Usage = usage, FinishReason = ChatFinishReason.ToolCalls });
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)) { ModelId = model, Usage = usage, FinishReason = ChatFinishReason.Stop });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The scripted model answers whole responses only.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", defaultModelId: ModelId)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
