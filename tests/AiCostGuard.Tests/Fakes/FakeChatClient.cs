using System.Runtime.CompilerServices;

namespace AiCostGuard.Tests.Fakes;

/// <summary>A scripted inner client: answers with fixed text and usage, records what it was sent.</summary>
public sealed class FakeChatClient : IChatClient
{
    private readonly List<ChatOptions?> _options = [];
    private readonly Lock _sync = new();

    public string? ModelId { get; set; } = "gpt-4o-mini";

    public string? ResponseModelId { get; set; }

    /// <summary>Provider extras on each response.</summary>
    public AdditionalPropertiesDictionary? ResponseProperties { get; set; }

    public string Text { get; set; } = "The answer is forty-two.";

    public UsageDetails? Usage { get; set; } = new() { InputTokenCount = 100, OutputTokenCount = 20 };

    /// <summary>Computes the usage of each call from the options it received; wins over <see cref="Usage"/>.</summary>
    public Func<ChatOptions?, UsageDetails>? UsageFor { get; set; }

    /// <summary>Runs inside every call, before it answers: lets a test observe the budget while the call is in flight.</summary>
    public Func<ChatOptions?, CancellationToken, Task>? OnCall { get; set; }

    public Exception? Throw { get; set; }

    /// <summary>Words streamed, one per update; usage follows in a final update unless <see cref="Usage"/> is null.</summary>
    public int StreamWords { get; set; } = 5;

    /// <summary>The text of each streamed update after the first.</summary>
    public string StreamedWord { get; set; } = " word";

    /// <summary>Throws after this many streamed updates.</summary>
    public int? FailAfterUpdates { get; set; }

    /// <summary>Sends usage as two updates: input first, output later.</summary>
    public bool SplitUsage { get; set; }

    public int Calls { get; private set; }

    public int StreamsDisposed { get; private set; }

    public IReadOnlyList<ChatOptions?> ReceivedOptions
    {
        get
        {
            lock (_sync)
            {
                return [.. _options];
            }
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Record(options);
        if (OnCall is not null)
        {
            await OnCall(options, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (Throw is not null)
        {
            throw Throw;
        }

        UsageDetails? usage = UsageFor?.Invoke(options) ?? Usage;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Text))
        {
            ModelId = ResponseModelId ?? options?.ModelId ?? ModelId,
            AdditionalProperties = ResponseProperties,
            Usage = usage is null ? null : new UsageDetails
            {
                InputTokenCount = usage.InputTokenCount,
                OutputTokenCount = usage.OutputTokenCount,
                CachedInputTokenCount = usage.CachedInputTokenCount,
                ReasoningTokenCount = usage.ReasoningTokenCount,
                AdditionalCounts = usage.AdditionalCounts is null ? null : new(usage.AdditionalCounts),
            },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Record(options);
        try
        {
            if (OnCall is not null)
            {
                await OnCall(options, cancellationToken);
            }

            for (int i = 0; i < StreamWords; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (FailAfterUpdates == i)
                {
                    throw new HttpRequestException("The provider dropped the connection.");
                }

                yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? "word" : StreamedWord) { ModelId = ResponseModelId ?? options?.ModelId ?? ModelId };
            }

            if (Usage is not null)
            {
                if (SplitUsage)
                {
                    yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = Usage.InputTokenCount, CachedInputTokenCount = Usage.CachedInputTokenCount })] };
                    yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { OutputTokenCount = Usage.OutputTokenCount, ReasoningTokenCount = Usage.ReasoningTokenCount })] };
                }
                else
                {
                    yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage)], FinishReason = ChatFinishReason.Stop };
                }
            }
        }
        finally
        {
            lock (_sync)
            {
                StreamsDisposed++;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: ModelId) : null;

    public void Dispose()
    {
    }

    private void Record(ChatOptions? options)
    {
        lock (_sync)
        {
            Calls++;
            _options.Add(options);
        }
    }
}
