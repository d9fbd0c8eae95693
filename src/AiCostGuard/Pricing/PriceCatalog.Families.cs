namespace AiCostGuard;

/// <content>Which model an alias stands for, and which family a model id belongs to.</content>
public sealed partial class PriceCatalog
{
    /// <summary>The model id <paramref name="modelId"/> stands for: an alias's target, else the id itself.</summary>
    internal string Canonical(string modelId) => _aliasTargets.TryGetValue(modelId, out string? target) ? target : modelId;

    /// <summary>
    /// The family of <paramref name="modelId"/> through its alias, without provider prefix or dated snapshot: <c>gpt-4o</c>
    /// for <c>gpt-4o-2024-08-06</c>, <c>openai/gpt-4o</c> and an Azure deployment aliased to <c>gpt-4o</c>; <c>gpt-4o-mini</c>
    /// is its own. Compare families with <see cref="StringComparison.OrdinalIgnoreCase"/>.
    /// </summary>
    internal string FamilyOf(string modelId) => Family(Canonical(modelId));

    private static string Family(string modelId)
    {
        int slash = modelId.LastIndexOf('/');
        string id = slash >= 0 && slash < modelId.Length - 1 ? modelId[(slash + 1)..] : modelId;
        return SnapshotSuffix().Replace(id, string.Empty);
    }
}
