namespace AiCostGuard;

/// <summary>What kind of model call a <see cref="CostRecord"/> is.</summary>
public enum CallKind
{
    /// <summary>A chat call (<c>IChatClient</c>); the kind of every record written before kinds were kept.</summary>
    Chat,

    /// <summary>An embeddings call (<c>IEmbeddingGenerator</c>): input tokens only.</summary>
    Embedding,
}
