namespace AiCostGuard;

/// <summary>The names a call's model goes by for its policies, and the provider it is sent to.</summary>
/// <param name="ModelId">The model id as the call names it.</param>
/// <param name="Canonical">The catalog model an alias stands for, when it is one; otherwise <see langword="null"/>.</param>
/// <param name="Provider">The provider: the model id's prefix, else the client's, else the catalog entry's.</param>
internal readonly record struct ModelNames(string? ModelId, string? Canonical, string? Provider)
{
    /// <summary>The model id qualified by the provider (<c>openai/gpt-4o</c>), when it has no prefix of its own.</summary>
    public string? Qualified { get; init; } = Qualify(Provider, ModelId);

    /// <summary>The alias's catalog model qualified by the provider.</summary>
    public string? QualifiedCanonical { get; init; } = Qualify(Provider, Canonical);

    /// <summary>The names of <paramref name="modelId"/> sent through a client of <paramref name="clientProvider"/>.</summary>
    public static ModelNames For(string? modelId, PriceCatalog catalog, string? clientProvider, ModelPrice? price)
    {
        if (modelId is null)
        {
            return new ModelNames(null, null, clientProvider);
        }

        string canonical = catalog.Canonical(modelId);
        int slash = modelId.IndexOf('/', StringComparison.Ordinal);
        string? provider = slash > 0 ? modelId[..slash] : clientProvider ?? price?.Provider;
        return new ModelNames(modelId, string.Equals(canonical, modelId, StringComparison.OrdinalIgnoreCase) ? null : canonical, provider);
    }

    private static string? Qualify(string? provider, string? modelId) =>
        provider is null || modelId is null || modelId.Contains('/', StringComparison.Ordinal) ? null : provider + "/" + modelId;
}
