using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Resolves the model a call asks for, and the model a response names, to a <see cref="ModelProfile"/>: its price in
/// the catalog (aliases and dated snapshots included), its tokenizer and its output limit. One rule for both, so a
/// call is priced by the same model whichever way its usage arrives.
/// </summary>
/// <remarks>Profiles are built once per model id and cached (up to <see cref="MaximumProfiles"/>); thread-safe.</remarks>
internal sealed class ModelResolver
{
    private const int MaximumProfiles = 1024;

    private readonly ConcurrentDictionary<string, ModelProfile> _profiles = new(StringComparer.Ordinal);
    private readonly int _defaultMaximumOutput;

    public ModelResolver(PriceCatalog catalog, string? defaultModelId, int defaultMaximumOutput)
    {
        Catalog = catalog;
        DefaultModelId = defaultModelId;
        _defaultMaximumOutput = defaultMaximumOutput;
        NoModel = new ModelProfile(null, null, null, defaultMaximumOutput);
    }

    /// <summary>Gets the prices in force.</summary>
    public PriceCatalog Catalog { get; }

    /// <summary>Gets the model the inner client uses when a call names none.</summary>
    public string? DefaultModelId { get; }

    /// <summary>Gets the profile of a call that names no model and whose client has no default: unpriced.</summary>
    public ModelProfile NoModel { get; }

    /// <summary>The model a call asks for: its options' model, or the client's default.</summary>
    /// <exception cref="ArgumentException">The options name an empty model, or set a non-positive <c>MaxOutputTokens</c>.</exception>
    public string? Requested(ChatOptions? options)
    {
        string? modelId = options?.ModelId;
        if (modelId is not null && string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("ChatOptions.ModelId is empty or white space; set a model id or leave it null to use the client's default model.", nameof(options));
        }

        if (options?.MaxOutputTokens is <= 0)
        {
            throw new ArgumentException($"ChatOptions.MaxOutputTokens must be positive; it is {options.MaxOutputTokens}.", nameof(options));
        }

        return modelId ?? DefaultModelId;
    }

    /// <summary>The profile of <paramref name="modelId"/>; <see cref="NoModel"/> for none.</summary>
    public ModelProfile Resolve(string? modelId)
    {
        if (modelId is null)
        {
            return NoModel;
        }

        if (_profiles.TryGetValue(modelId, out ModelProfile? profile))
        {
            return profile;
        }

        Catalog.TryGetPrice(modelId, out ModelPrice? price);
        profile = new ModelProfile(modelId, price, TokenEstimator.GetEncoding(modelId), price?.MaximumOutputTokens ?? _defaultMaximumOutput);
        if (_profiles.Count < MaximumProfiles)
        {
            _profiles.TryAdd(modelId, profile);
        }

        return profile;
    }

    /// <summary>
    /// The profile a call is priced by once its response names the model that answered: that model when it has a price
    /// (a dated snapshot of the one asked for) or when the one asked for had none; otherwise the one admitted.
    /// </summary>
    public ModelProfile Answering(ModelProfile admitted, string? reportedModelId)
    {
        ModelProfile profile = admitted.Standard;
        if (reportedModelId is { Length: > 0 } && !string.Equals(reportedModelId, profile.ModelId, StringComparison.Ordinal))
        {
            ModelProfile snapshot = Resolve(reportedModelId);
            if (snapshot.Price is not null || profile.Price is null)
            {
                return snapshot;
            }
        }

        return profile;
    }
}
