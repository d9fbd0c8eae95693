namespace AiCostGuard;

/// <summary>
/// The input tokens of content that cannot be counted before sending (an image whose size is unread, a PDF, audio,
/// video, a hosted file), bounded by the per-kind rules of the README's content table.
/// </summary>
/// <param name="Tokens">The estimate: what such content usually costs.</param>
/// <param name="UpperBound">The most it can cost by the providers' published limits: what is reserved.</param>
public readonly record struct ContentTokenBound(long Tokens, long UpperBound)
{
    /// <summary>Gets whether there is no bounded content.</summary>
    public bool IsEmpty => Tokens == 0 && UpperBound == 0;

    /// <summary>Adds two bounds.</summary>
    /// <param name="other">The other bound.</param>
    /// <returns>The sum.</returns>
    public ContentTokenBound Add(ContentTokenBound other) => new(Tokens + other.Tokens, UpperBound + other.UpperBound);
}
