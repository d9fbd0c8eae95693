namespace AiCostGuard;

/// <summary>Thrown before a call is sent when its model has no price and <see cref="UnknownModelPolicy.Reject"/> is in force.</summary>
public sealed class UnknownModelException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="modelId">The model id that has no price; <see langword="null"/> when the call named no model.</param>
    public UnknownModelException(string? modelId)
        : base(modelId is null
            ? "The model call names no model: set ChatOptions.ModelId or give the client a default model (ChatClientMetadata.DefaultModelId), so it can be priced."
            : $"The model '{modelId}' has no price in the catalog. Add it with CostGovernanceOptions.Prices, or set UnknownModelPolicy to AllowUnpriced to run it flagged as unpriced.")
    {
        ModelId = modelId;
    }

    /// <summary>Gets the model id that has no price; <see langword="null"/> when the call named no model.</summary>
    public string? ModelId { get; }
}
