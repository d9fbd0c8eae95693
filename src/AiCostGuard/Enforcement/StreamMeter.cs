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
    private long? _input;
    private long? _output;
    private long? _cached;
    private long? _reasoning;

    /// <summary>Gets the output tokens to charge when the provider reports none.</summary>
    public readonly long OutputTokens => _oneTokenPerUpdate ? _textUpdates : Math.Max(_textUpdates, (_characters + CharactersPerChargedToken - 1) / CharactersPerChargedToken);

    /// <summary>Gets the output tokens the stream has produced at the least.</summary>
    private readonly long OutputTokensAtLeast => _oneTokenPerUpdate ? _textUpdates : Math.Max(_textUpdates, _characters / MostCharactersPerStreamedToken);

    /// <summary>Gets the usage the provider reported, or <see langword="null"/> when none arrived.</summary>
    public readonly UsageDetails? Usage => _input is null && _output is null
        ? null
        : new UsageDetails { InputTokenCount = _input, OutputTokenCount = _output, CachedInputTokenCount = _cached, ReasoningTokenCount = _reasoning };

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

        return OutputTokensAtLeast > _outputCeiling && _output is null;
    }

    private void Add(UsageDetails details)
    {
        _input = Sum(_input, details.InputTokenCount);
        _output = Sum(_output, details.OutputTokenCount);
        _cached = Sum(_cached, details.CachedInputTokenCount);
        _reasoning = Sum(_reasoning, details.ReasoningTokenCount);

        static long? Sum(long? total, long? value) => value is null ? total : (total ?? 0) + value;
    }
}
