namespace AiCostGuard;

/// <summary>How exact an input-token estimate is.</summary>
public enum EstimatePrecision
{
    /// <summary>Counted with the model's own tokenizer and chat format: equals the provider's <c>prompt_tokens</c> for text.</summary>
    Exact,

    /// <summary>
    /// Estimated from text length: for model families without a public tokenizer, or for OpenAI text not yet counted
    /// because the call was provably far from every ceiling.
    /// </summary>
    Approximate,

    /// <summary>
    /// The input holds content that cannot be counted before sending (an image whose size is unread, a PDF, audio, video,
    /// a hosted file): <see cref="InputTokenEstimate.UpperBound"/> holds its documented worst case, which is what is reserved.
    /// </summary>
    Bounded,
}
