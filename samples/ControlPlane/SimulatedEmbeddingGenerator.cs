using Microsoft.Extensions.AI;

namespace ControlPlane;

/// <summary>A stand-in for a hosted embeddings model: a small vector per input, and the usage a provider reports (about four characters per token).</summary>
internal sealed class SimulatedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("simulated", defaultModelId: "text-embedding-3-small");

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] inputs = [.. values];
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(inputs.Select(v => new Embedding<float>(new[] { v.Length, v.Count(char.IsWhiteSpace), 1f })))
        {
            Usage = new UsageDetails { InputTokenCount = inputs.Sum(v => Math.Max(1, v.Length / 4)) },
        };
        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

    public void Dispose()
    {
    }
}
