using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// What a governed call learns from the marker below a response cache: whether the call went past the cache to the
/// provider, and, for embeddings, what was sent and the usage the provider reported for it.
/// </summary>
/// <remarks>
/// The governed call creates one and puts it in an <see cref="AsyncLocal{T}"/> before it sends; the marker, called on
/// the same flow only when the cache misses, writes to that instance. The governed call keeps its own reference, so
/// nothing needs to flow back out of the cache. Only pipelines with a marker create probes.
/// </remarks>
internal sealed class ProviderCallProbe
{
    private static readonly AsyncLocal<ProviderCallProbe?> Ambient = new();

    /// <summary>Gets the probe of the governed call on this flow, or <see langword="null"/>.</summary>
    public static ProviderCallProbe? Current => Ambient.Value;

    /// <summary>Gets whether the call reached the provider: the cache did not answer it (or not all of it).</summary>
    public bool Reached { get; private set; }

    /// <summary>Gets how many embeddings inputs the cache passed on to the provider.</summary>
    public int SentInputs { get; private set; }

    /// <summary>Gets what those inputs were, for an estimate when the provider reported no usage.</summary>
    public IReadOnlyList<string>? SentValues { get; private set; }

    /// <summary>Gets the usage the provider reported for what reached it, which a cache that answers part of a batch does not pass on.</summary>
    public UsageDetails? ProviderUsage { get; private set; }

    /// <summary>Starts a probe for the call on this flow; the flow's previous probe comes back when the calling async method returns.</summary>
    public static ProviderCallProbe Begin()
    {
        var probe = new ProviderCallProbe();
        Ambient.Value = probe;
        return probe;
    }

    /// <summary>Notes that a chat call reached the provider.</summary>
    public void MarkReached() => Reached = true;

    /// <summary>Notes that an embeddings call reached the provider with <paramref name="values"/>, and what it reported.</summary>
    public void MarkReached(IReadOnlyList<string> values, UsageDetails? usage)
    {
        Reached = true;
        SentInputs += values.Count;
        SentValues = SentValues is null ? values : [.. SentValues, .. values];
        if (usage is not null)
        {
            // Copied: the caller may add later usage into the object it was given.
            ProviderUsage ??= new UsageDetails();
            ProviderUsage.Add(usage);
        }
    }
}
