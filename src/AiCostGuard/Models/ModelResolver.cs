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

    // One instance per family, so that comparing the families of a request and its response is a reference check.
    private readonly ConcurrentDictionary<string, string> _families = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _defaultMaximumOutput;
    private readonly ContentBoundOptions? _contentBounds;

    public ModelResolver(PriceCatalog catalog, string? defaultModelId, int defaultMaximumOutput, ContentBoundOptions? contentBounds = null)
    {
        Catalog = catalog;
        DefaultModelId = defaultModelId;
        _defaultMaximumOutput = defaultMaximumOutput;
        _contentBounds = contentBounds;
        NoModel = new ModelProfile(null, null, ModelTokenizer.For(null).WithBounds(contentBounds), defaultMaximumOutput);
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

    /// <summary>The family of <paramref name="modelId"/>, as the one instance this resolver keeps for it.</summary>
    private string Family(string modelId)
    {
        string family = Catalog.FamilyOf(modelId);
        return _families.TryGetValue(family, out string? shared) ? shared
            : _families.Count < MaximumProfiles ? _families.GetOrAdd(family, family)
            : family;
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

        // An alias (an Azure deployment name) stands for its model in everything: price, tokenizer and output limit.
        Catalog.TryGetPrice(modelId, out ModelPrice? price);
        profile = new ModelProfile(modelId, price, ModelTokenizer.For(Catalog.Canonical(modelId)).WithBounds(_contentBounds), price?.MaximumOutputTokens ?? _defaultMaximumOutput, Family(modelId));
        if (_profiles.Count < MaximumProfiles)
        {
            _profiles.TryAdd(modelId, profile);
        }

        return profile;
    }

    /// <summary>
    /// The profile of the model a response names, when it differs from the one admitted: the model that answered. Its
    /// price applies when it is the admitted model's own family (a dated snapshot) and has a price, or when the
    /// admitted model had none; a model of another family is an <paramref name="outsideFamily"/> answer, priced by
    /// the caller at the dearer of the two.
    /// </summary>
    public ModelProfile Answering(ModelProfile admitted, string? reportedModelId, out bool outsideFamily)
    {
        outsideFamily = false;
        ModelProfile profile = admitted.Standard;
        if (reportedModelId is not { Length: > 0 } || string.Equals(reportedModelId, profile.ModelId, StringComparison.Ordinal))
        {
            return profile;
        }

        ModelProfile answering = Resolve(reportedModelId);
        if (profile.ModelId is null || profile.Price is null)
        {
            return answering.Price is not null || profile.Price is null ? answering : profile;
        }

        if (string.Equals(profile.Family, answering.Family, StringComparison.OrdinalIgnoreCase))
        {
            return answering.Price is not null ? answering : profile;
        }

        outsideFamily = true;
        return answering;
    }
}
