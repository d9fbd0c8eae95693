namespace AiCostGuard;

/// <summary>What the middleware needs to know about one model id, resolved once and cached.</summary>
internal sealed class ModelProfile(string? modelId, ModelPrice? price, ModelTokenizer tokenizer, int maximumOutputTokens, string? family = null, ModelProfile? standard = null)
{
    private ModelProfile? _flex;
    private ModelProfile? _priority;
    private ModelProfile? _batch;

    public string? ModelId { get; } = modelId;

    /// <summary>The model's family — its id without provider prefix or snapshot date, through its alias — worked out once: a response naming a model of another family is priced with care.</summary>
    public string? Family { get; } = family;

    /// <summary>The price, or <see langword="null"/> when the model is unpriced.</summary>
    public ModelPrice? Price { get; } = price;

    /// <summary>How the model's input is counted: exactly with its vocabulary, or estimated for its family.</summary>
    public ModelTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>The model's tiktoken vocabulary (OpenAI families, which stream one token per update), or <see langword="null"/>.</summary>
    public TiktokenEncoding? Encoding => Tokenizer.Tiktoken;

    /// <summary>The worst-case output of a call that sets no <c>MaxOutputTokens</c>.</summary>
    public int MaximumOutputTokens { get; } = maximumOutputTokens;

    /// <summary>The standard-tier profile this one was derived from; this profile when it is standard.</summary>
    public ModelProfile Standard => standard ?? this;

    /// <summary>Gets the profile whose price is <paramref name="serviceTier"/>'s, so the budget reserves what that tier costs; built once per tier.</summary>
    public ModelProfile ForServiceTier(string? serviceTier)
    {
        if (serviceTier is null || Price is null)
        {
            return this;
        }

        ref ModelProfile? slot = ref _batch;
        if (serviceTier.Equals("flex", StringComparison.OrdinalIgnoreCase))
        {
            slot = ref _flex;
        }
        else if (serviceTier.Equals("priority", StringComparison.OrdinalIgnoreCase))
        {
            slot = ref _priority;
        }
        else if (!serviceTier.Equals("batch", StringComparison.OrdinalIgnoreCase))
        {
            return this;
        }

        ModelPrice tiered = slot?.Price ?? Price.ForServiceTier(serviceTier);
        return ReferenceEquals(tiered, Price) ? this : slot ??= new ModelProfile(ModelId, tiered, Tokenizer, MaximumOutputTokens, Family, this);
    }
}
