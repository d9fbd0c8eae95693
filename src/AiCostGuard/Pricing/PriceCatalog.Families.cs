namespace AiCostGuard;

/// <content>Which model an alias stands for, and which family a model id belongs to.</content>
public sealed partial class PriceCatalog
{
    /// <summary>The model id <paramref name="modelId"/> stands for: an alias's target, else the id itself.</summary>
    internal string Canonical(string modelId) => _aliasTargets.TryGetValue(modelId, out string? target) ? target : modelId;

    /// <summary>
    /// Whether <paramref name="reported"/> — the model a response names — is <paramref name="requested"/> or one of its
    /// dated snapshots, under any provider prefix (<c>gpt-4o</c> and <c>gpt-4o-2024-08-06</c>, an Azure deployment
    /// aliased to <c>gpt-4o</c> and <c>gpt-4o-2024-08-06</c>); <c>gpt-4o-mini</c> is not <c>gpt-4o</c>.
    /// </summary>
    internal bool IsSameFamily(string requested, string reported) =>
        string.Equals(Family(Canonical(requested)), Family(Canonical(reported)), StringComparison.OrdinalIgnoreCase);

    private static string Family(string modelId)
    {
        int slash = modelId.LastIndexOf('/');
        string id = slash >= 0 && slash < modelId.Length - 1 ? modelId[(slash + 1)..] : modelId;
        return SnapshotSuffix().Replace(id, string.Empty);
    }
}
