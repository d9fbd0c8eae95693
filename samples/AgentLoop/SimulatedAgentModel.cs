using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentLoop;

/// <summary>
/// A stand-in for a hosted model that behaves like an agent, so that the demo runs offline and prints the same numbers
/// on every run: while it is offered tools it asks for one tool call per step, cycling through the tools it was given,
/// and answers once it has no tools left to call. It reports usage the way providers do: input tokens at about four
/// characters each, output tokens as produced.
/// </summary>
internal sealed class SimulatedAgentModel : IChatClient
{
    private const int CharactersPerToken = 4;
    private const int ToolCallOutputTokens = 180;
    private const int AnswerOutputTokens = 350;

    private readonly ChatClientMetadata _metadata = new("simulated", defaultModelId: "gpt-4o");

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        List<ChatMessage> history = [.. messages];
        string modelId = options?.ModelId ?? "gpt-4o";
        long input = (history.SelectMany(m => m.Contents).Sum(Characters) + CharactersPerToken - 1) / CharactersPerToken;

        // Answer asynchronously, as a remote model does.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        int toolResults = history.Sum(m => m.Contents.OfType<FunctionResultContent>().Count());
        if (options?.Tools is { Count: > 0 } tools)
        {
            AITool tool = tools[toolResults % tools.Count];
            var call = new FunctionCallContent($"call_{toolResults + 1}", tool.Name, new Dictionary<string, object?> { ["city"] = "Lisbon" });
            return Reply(new ChatMessage(ChatRole.Assistant, [call]), modelId, input, Math.Min(ToolCallOutputTokens, options.MaxOutputTokens ?? int.MaxValue), ChatFinishReason.ToolCalls);
        }

        int output = Math.Min(AnswerOutputTokens, options?.MaxOutputTokens ?? int.MaxValue);
        string answer = $"Here is the plan for Lisbon, based on {toolResults} tool results: fly in on Friday, stay in Alfama, see the tiles museum on Saturday.";
        return Reply(new ChatMessage(ChatRole.Assistant, answer), modelId, input, output, output < AnswerOutputTokens ? ChatFinishReason.Length : ChatFinishReason.Stop);
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

    private static int Characters(AIContent content) => content switch
    {
        TextContent text => text.Text.Length,
        FunctionCallContent call => call.Name.Length + JsonSerializer.Serialize(call.Arguments).Length,
        FunctionResultContent result => result.Result?.ToString()?.Length ?? 0,
        _ => 0,
    };

    private static ChatResponse Reply(ChatMessage message, string modelId, long input, int output, ChatFinishReason finish) =>
        new(message)
        {
            ModelId = modelId,
            FinishReason = finish,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
}
