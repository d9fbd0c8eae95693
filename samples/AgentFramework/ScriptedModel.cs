using Microsoft.Extensions.AI;

namespace AgentFrameworkSample;

/// <summary>An offline model: while it has tools it asks for them in turn (each required argument filled); without tools it answers.</summary>
internal sealed class ScriptedModel(int toolCallsPerStep) : IChatClient
{
    private int _ids;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var usage = new UsageDetails { InputTokenCount = 400, OutputTokenCount = 60 };
        if (toolCallsPerStep > 0 && options?.Tools is { Count: > 0 } tools)
        {
            var calls = new List<AIContent>();
            for (int i = 0; i < toolCallsPerStep; i++)
            {
                var tool = (AIFunction)tools[i % tools.Count];
                var arguments = new Dictionary<string, object?>();
                if (tool.JsonSchema.TryGetProperty("required", out System.Text.Json.JsonElement required))
                {
                    foreach (System.Text.Json.JsonElement name in required.EnumerateArray())
                    {
                        arguments[name.GetString()!] = "regional growth";
                    }
                }

                calls.Add(new FunctionCallContent($"call_{Interlocked.Increment(ref _ids)}", tool.Name, arguments));
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)) { Usage = usage, ModelId = "gpt-4o-mini" });
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "The south grew fastest.")) { Usage = usage, ModelId = "gpt-4o-mini" });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This sample's model answers whole responses.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", defaultModelId: "gpt-4o-mini") : null;

    public void Dispose()
    {
    }
}
