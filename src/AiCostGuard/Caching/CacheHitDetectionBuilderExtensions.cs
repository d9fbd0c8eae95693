using AiCostGuard;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the marker that tells a governed pipeline which calls its response cache answered.</summary>
public static class CacheHitDetectionBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="CacheHitDetectingChatClient"/>: place it directly after (inside) <c>UseDistributedCache()</c>, below
    /// <c>UseCostGovernance()</c>, so that a cache hit is recorded at $0 with the cost it avoided.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseCacheHitDetection(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new CacheHitDetectingChatClient(inner));
    }

    /// <summary>
    /// Adds a <see cref="CacheHitDetectingEmbeddingGenerator"/>: place it directly after (inside) <c>UseDistributedCache()</c>,
    /// below <c>UseCostGovernance()</c>, so that inputs the cache answers are recorded at $0 with the cost they avoided.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseCacheHitDetection(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new CacheHitDetectingEmbeddingGenerator(inner));
    }
}
