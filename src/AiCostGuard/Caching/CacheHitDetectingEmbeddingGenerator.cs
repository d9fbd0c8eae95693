using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Marks the inputs an embeddings cache passes on to the provider, and keeps the usage the provider reported for them,
/// so that <c>UseCostGovernance()</c> above the cache charges only what reached the provider and records what the cache saved.
/// </summary>
/// <remarks>
/// <para>Place it with <c>UseCacheHitDetection()</c> directly after (inside) <c>UseDistributedCache()</c>. M.E.AI's
/// embeddings cache answers each input on its own and sends the others in one batch, whose usage it does not pass on:
/// this marker hands that usage to the governance above.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class CacheHitDetectingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerGenerator">The generator the cache passes its misses to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is <see langword="null"/>.</exception>
    public CacheHitDetectingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator)
        : base(innerGenerator)
    {
    }

    /// <inheritdoc/>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ProviderCallProbe? probe = ProviderCallProbe.Current;
        if (probe is null)
        {
            return await base.GenerateAsync(values, options, cancellationToken);
        }

        IReadOnlyList<string> sent = values as IReadOnlyList<string> ?? [.. values];
        GeneratedEmbeddings<Embedding<float>> generated;
        try
        {
            generated = await base.GenerateAsync(sent, options, cancellationToken);
        }
        catch
        {
            probe.MarkReached(sent, usage: null);
            throw;
        }

        probe.MarkReached(sent, generated.Usage);
        return generated;
    }
}
