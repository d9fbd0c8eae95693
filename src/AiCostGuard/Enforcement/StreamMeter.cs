using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Counts a streamed response as it arrives, without allocating: output tokens, and the usage the provider reports,
/// summed across updates.
/// </summary>
/// <remarks>
/// Two estimates serve two purposes. The cut decision must not stop a provider that keeps to its
/// <c>MaxOutputTokens</c>, so it leans low: one token per update that carries text — exactly right for OpenAI model
/// families, which stream one token per update whatever its length — and, for other families, which may stream
/// several tokens per update, one per six characters when that is more. The charge for a stream whose usage never
/// arrives must not lose money: for OpenAI families it is the update count, which is exact; for others it leans
/// high, one token per four characters when that is more than one per update.
/// </remarks>
internal struct StreamMeter(long outputCeiling, bool oneTokenPerUpdate)
{
    private const int CharactersPerChargedToken = 4;
    private const int MostCharactersPerStreamedToken = 6;

    private readonly long _outputCeiling = outputCeiling;
    private readonly bool _oneTokenPerUpdate = oneTokenPerUpdate;
    private long _textUpdates;
    private long _characters;
    private UsageDetails? _usage;

    /// <summary>Gets the output tokens to charge when the provider reports none.</summary>
    public readonly long OutputTokens => _oneTokenPerUpdate ? _textUpdates : Math.Max(_textUpdates, (_characters + CharactersPerChargedToken - 1) / CharactersPerChargedToken);

    /// <summary>Gets the output tokens the stream has produced at the least.</summary>
    private readonly long OutputTokensAtLeast => _oneTokenPerUpdate ? _textUpdates : Math.Max(_textUpdates, _characters / MostCharactersPerStreamedToken);

    /// <summary>
    /// Gets the usage the provider reported, summed over every update that carried some — provider extras such as
    /// cache writes included, so a stream is normalized and priced exactly as a whole response is — or
    /// <see langword="null"/> when none arrived.
    /// </summary>
    public readonly UsageDetails? Usage => _usage;

    /// <summary>Gets the model the updates name (the snapshot that answered), or <see langword="null"/> when none did.</summary>
    public string? ModelId { get; private set; }

    /// <summary>
    /// Gets the raw representation of the first update that had one: Anthropic's <c>message_start</c>, the only place
    /// its stream reports how its cache writes split by time to live.
    /// </summary>
    public object? FirstRawRepresentation { get; private set; }

    /// <summary>Counts one update.</summary>
    /// <returns><see langword="true"/> when the output has passed the ceiling and the stream must be cut.</returns>
    public bool Observe(ChatResponseUpdate update)
    {
        IList<AIContent> contents = update.Contents;
        bool hasText = false;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    _characters += text.Text.Length;
                    hasText |= text.Text.Length > 0;
                    break;
                case TextReasoningContent reasoning:
                    _characters += reasoning.Text.Length;
                    hasText |= reasoning.Text.Length > 0;
                    break;
                case UsageContent usage:
                    Add(usage.Details);
                    break;
                default:
                    break;
            }
        }

        if (hasText)
        {
            _textUpdates++;
        }

        FirstRawRepresentation ??= update.RawRepresentation;

        // Every update of a stream names the same instance as a rule: compare first, so the meter (a field of the
        // stream's enumerator, on the heap) is written, with its write barrier, only when the name changes.
        if (update.ModelId is { Length: > 0 } model && !ReferenceEquals(model, ModelId))
        {
            ModelId = model;
        }

        return OutputTokensAtLeast > _outputCeiling && _usage?.OutputTokenCount is null;
    }

    /// <summary>Takes the usage an update reports, without counting its text: for updates read after a stream was cut.</summary>
    public void ObserveUsage(ChatResponseUpdate update)
    {
        foreach (AIContent content in update.Contents)
        {
            if (content is UsageContent usage)
            {
                Add(usage.Details);
            }
        }
    }

    // Copied into the meter's own instance: the provider's object may be reused or added to after this update.
    private void Add(UsageDetails details) => (_usage ??= new UsageDetails()).Add(details);
}
