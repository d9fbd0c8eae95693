using Microsoft.Extensions.AI;

namespace SemanticKernelSample;

/// <summary>
/// A stand-in for a hosted model, so that the demo runs offline and prints the same numbers on every run: offered
/// tools and no tool results yet, it asks for every tool at once; otherwise it answers. Input tokens are about four
/// characters each; output tokens as produced.
/// </summary>
internal sealed class SimulatedModel : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("simulated", defaultModelId: "gpt-4o");

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        List<AIContent> contents = [.. messages.SelectMany(m => m.Contents)];
        long input = (contents.Sum(c => c switch
        {
            TextContent text => text.Text.Length,
            FunctionResultContent result => result.Result?.ToString()?.Length ?? 0,
            FunctionCallContent call => call.Name.Length + 16,
            _ => 0,
        }) + 3) / 4;
        string modelId = options?.ModelId ?? "gpt-4o";

        // Answer asynchronously, as a remote model does.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var usage = new UsageDetails { InputTokenCount = input };
        if (options?.Tools is { Count: > 0 } tools && !contents.OfType<FunctionResultContent>().Any())
        {
            usage.OutputTokenCount = 40 * tools.Count;
            List<AIContent> calls = [.. tools.Select((t, i) => new FunctionCallContent($"call_{i + 1}", t.Name, new Dictionary<string, object?> { ["city"] = "Porto" }))];
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)) { ModelId = modelId, Usage = usage, FinishReason = ChatFinishReason.ToolCalls };
        }

        usage.OutputTokenCount = 220;
        string answer = contents.OfType<FunctionResultContent>().Any()
            ? "Book the 09:10 flight and the riverside hotel; reviews praise its breakfast; pack an umbrella."
            : "Guests love the view and the breakfast; a few mention street noise at night.";
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = modelId, Usage = usage, FinishReason = ChatFinishReason.Stop };
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This demo does not stream.");

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
