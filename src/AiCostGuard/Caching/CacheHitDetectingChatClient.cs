using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Marks the calls a response cache passes on to the provider, so that <c>UseCostGovernance()</c> above the cache
/// records a cache hit at $0 with the cost it avoided, instead of charging the cached response's usage again.
/// </summary>
/// <remarks>
/// <para>Place it with <c>UseCacheHitDetection()</c> directly after (inside) <c>UseDistributedCache()</c>:
/// <c>builder.UseCostGovernance().UseDistributedCache().UseCacheHitDetection()</c>. A governed client above a
/// <see cref="CachingChatClient"/> without this marker below the cache is a configuration error when it is built.</para>
/// <para>It adds nothing to the request or the response (no option, no property the cache would hash into its key).
/// Thread-safe.</para>
/// </remarks>
public sealed class CacheHitDetectingChatClient : DelegatingChatClient
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client the cache passes its misses to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    public CacheHitDetectingChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ProviderCallProbe.Current?.MarkReached();
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ProviderCallProbe.Current?.MarkReached();
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>
    /// Whether this marker is below <paramref name="innerClient"/>, the client a governed client wraps. A response cache
    /// below it without one would charge every hit again, so that is a configuration error.
    /// </summary>
    internal static bool IsBelow(IChatClient innerClient)
    {
        if (innerClient.GetService(typeof(CachingChatClient)) is IChatClient cache && cache.GetService(typeof(CacheHitDetectingChatClient)) is null)
        {
            throw new InvalidOperationException(
                "UseCostGovernance() is above UseDistributedCache() in this pipeline without UseCacheHitDetection() below the cache, so every cache hit " +
                "would be charged again. Add it directly after the cache — builder.UseCostGovernance().UseDistributedCache().UseCacheHitDetection() — " +
                "to record hits at $0 with the cost they avoided, or place the cache outside (before) UseCostGovernance().");
        }

        return innerClient.GetService(typeof(CacheHitDetectingChatClient)) is not null;
    }
}
