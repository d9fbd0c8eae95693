namespace AiCostGuard;

/// <summary>
/// Token counts of one model call, in the Microsoft.Extensions.AI convention: <see cref="CachedInputTokens"/> is
/// part of <see cref="InputTokens"/>, and <see cref="ReasoningTokens"/> is part of <see cref="OutputTokens"/>.
/// </summary>
/// <param name="InputTokens">All input tokens, cached ones included.</param>
/// <param name="OutputTokens">All output tokens, reasoning ones included.</param>
/// <param name="CachedInputTokens">The input tokens read from the provider's prompt cache.</param>
/// <param name="ReasoningTokens">The output tokens spent on reasoning.</param>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long ReasoningTokens = 0)
{
    /// <summary>Gets input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
