namespace AiCostGuard.Tests.Fakes;

/// <summary>An embeddings model that reports, as OpenAI does, the cl100k_base tokens of the inputs it was sent.</summary>
public sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly List<string[]> _batches = [];

    public string? ModelId { get; set; } = "text-embedding-3-small";

    /// <summary>Whether usage is reported at all.</summary>
    public bool ReportsUsage { get; set; } = true;

    public Exception? Throw { get; set; }

    /// <summary>The batches of inputs sent, in order.</summary>
    public IReadOnlyList<string[]> Batches => _batches;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] batch = [.. values];
        _batches.Add(batch);
        if (Throw is not null)
        {
            throw Throw;
        }

        long tokens = batch.Sum(v => (long)TokenEstimator.CountTokens(v, "cl100k_base"));
        var generated = new GeneratedEmbeddings<Embedding<float>>(batch.Select(v => new Embedding<float>(new[] { v.Length, 1f }) { ModelId = options?.ModelId ?? ModelId }))
        {
            Usage = ReportsUsage ? new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens } : null,
        };
        return Task.FromResult(generated);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("fake", null, ModelId)
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
