namespace AiCostGuard;

/// <summary>What the middleware needs to know about one model id, resolved once and cached.</summary>
internal sealed class ModelProfile(string? modelId, ModelPrice? price, TiktokenEncoding? encoding, int maximumOutputTokens)
{
    public string? ModelId { get; } = modelId;

    /// <summary>The price, or <see langword="null"/> when the model is unpriced.</summary>
    public ModelPrice? Price { get; } = price;

    /// <summary>The model's tokenizer, or <see langword="null"/> for families without a public one.</summary>
    public TiktokenEncoding? Encoding { get; } = encoding;

    /// <summary>The worst-case output of a call that sets no <c>MaxOutputTokens</c>.</summary>
    public int MaximumOutputTokens { get; } = maximumOutputTokens;
}
