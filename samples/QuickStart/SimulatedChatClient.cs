using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace QuickStart;

/// <summary>
/// A stand-in for a hosted model, so that the demo runs offline and prints the same numbers on every run.
/// </summary>
/// <remarks>
/// It answers with a canned text whose length grows with the prompt, one word per output token, and reports usage
/// the way providers do: input tokens at about four characters each, part of a repeated prompt read from the prompt
/// cache, output tokens as produced. Streams carry one word per update and the usage in the last one.
/// </remarks>
internal sealed class SimulatedChatClient : IChatClient
{
    /// <summary>The model answering calls that name none.</summary>
    public const string DefaultModelId = "gpt-4o-mini";

    private const int CharactersPerInputToken = 4;

    // Providers cache whole blocks of a prompt's prefix, never a partial block.
    private const int CacheBlockTokens = 64;

    private static readonly string[] AnswerWords =
        ("Here is the short answer first, then the details that matter for the decision. The numbers point the same " +
         "way: costs rise with context length and with the number of calls, so trimming the history and reusing " +
         "results pays off sooner than switching models. The main risk is a long tail of retries and wide fan-outs " +
         "that nobody budgeted for. The recommendation is to cap each run, prefer the smaller model for routine " +
         "steps and keep the larger one for the final write-up.").Split(' ');

    private readonly ChatClientMetadata _metadata = new("simulated", defaultModelId: DefaultModelId);
    private readonly ConcurrentDictionary<string, bool> _seenPrompts = new(StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether the model ignores <see cref="ChatOptions.MaxOutputTokens"/> and writes its whole answer, as a runaway model would.</summary>
    public bool IgnoreMaxOutputTokens { get; init; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Reply reply = Answer(messages, options);

        // Complete asynchronously, as a remote model does, so that fanned-out calls really overlap.
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join(' ', reply.Words)))
        {
            ModelId = reply.ModelId,
            FinishReason = reply.FinishReason,
            Usage = reply.Usage,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Reply reply = Answer(messages, options);
        for (int i = 0; i < reply.Words.Count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? reply.Words[i] : " " + reply.Words[i]) { ModelId = reply.ModelId };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(reply.Usage)])
        {
            ModelId = reply.ModelId,
            FinishReason = reply.FinishReason,
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private Reply Answer(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string modelId = options?.ModelId ?? DefaultModelId;
        string prompt = string.Concat(messages.Select(m => m.Text));

        long inputTokens = (prompt.Length + CharactersPerInputToken - 1) / CharactersPerInputToken;
        bool repeated = !_seenPrompts.TryAdd(modelId + "\n" + prompt, true);
        long cachedTokens = repeated ? inputTokens / CacheBlockTokens * CacheBlockTokens : 0;

        int wanted = 16 + (prompt.Length / 8);
        int produced = options?.MaxOutputTokens is { } maximum && !IgnoreMaxOutputTokens ? Math.Min(wanted, maximum) : wanted;
        string[] words = new string[produced];
        for (int i = 0; i < produced; i++)
        {
            words[i] = AnswerWords[i % AnswerWords.Length];
        }

        var usage = new UsageDetails
        {
            InputTokenCount = inputTokens,
            CachedInputTokenCount = cachedTokens,
            OutputTokenCount = produced,
            TotalTokenCount = inputTokens + produced,
        };
        return new Reply(modelId, words, produced < wanted ? ChatFinishReason.Length : ChatFinishReason.Stop, usage);
    }

    private sealed record Reply(string ModelId, IReadOnlyList<string> Words, ChatFinishReason FinishReason, UsageDetails Usage);
}
