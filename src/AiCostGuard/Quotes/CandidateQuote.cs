namespace AiCostGuard;

/// <summary>What one candidate of a <see cref="ModelRoute"/> would cost a call at worst, and whether it fits the call.</summary>
public sealed record CandidateQuote
{
    /// <summary>Gets the candidate's model id.</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the candidate's tier, or <see langword="null"/>.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets the input tokens the call would reserve on this model: counted with its tokenizer, or estimated for its family.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the most output tokens the call may produce on this model: its <c>MaxOutputTokens</c>, or the model's maximum.</summary>
    public long MaximumOutputTokens { get; init; }

    /// <summary>Gets the worst-case cost of the call on this model, in US dollars.</summary>
    public decimal WorstCaseCost { get; init; }

    /// <summary>Gets the model's context window, as the candidate or the catalog states it.</summary>
    public int ContextWindow { get; init; }

    /// <summary>Gets what the model accepts beyond plain text, as the candidate or the catalog states it.</summary>
    public ModelCapabilities Capabilities { get; init; }

    /// <summary>Gets why the candidate does not fit the call, or <see langword="null"/> when it fits.</summary>
    public string? Unfit { get; init; }

    /// <summary>Gets whether the route would send the call to this candidate.</summary>
    public bool IsChosen { get; init; }
}
