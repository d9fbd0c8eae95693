using Microsoft.Extensions.AI;

namespace WebApi;

/// <summary>A stand-in for a hosted model, so that the sample runs offline: it answers in the process, with no network.</summary>
/// <remarks>
/// It reports usage the way providers do: input tokens at about four characters each, and one output token per word
/// of its answer, at most <see cref="ChatOptions.MaxOutputTokens"/>.
/// </remarks>
internal sealed class SimulatedChatClient : IChatClient
{
    private const int CharactersPerInputToken = 4;

    private static readonly string[] AnswerWords =
        "The text says that the order shipped late because the warehouse ran out of boxes, and asks for a refund.".Split(' ');

    private readonly ChatClientMetadata _metadata;

    public SimulatedChatClient(string modelId) => _metadata = new ChatClientMetadata("simulated", defaultModelId: modelId);

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        string prompt = string.Concat(messages.Select(m => m.Text));
        int produced = Math.Min(AnswerWords.Length, options?.MaxOutputTokens ?? int.MaxValue);
        long input = (prompt.Length + CharactersPerInputToken - 1) / CharactersPerInputToken;
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join(' ', AnswerWords.Take(produced))))
        {
            ModelId = options?.ModelId ?? _metadata.DefaultModelId,
            FinishReason = produced < AnswerWords.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = produced, TotalTokenCount = input + produced },
        });
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

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
