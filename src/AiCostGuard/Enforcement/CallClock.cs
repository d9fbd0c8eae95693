namespace AiCostGuard;

/// <summary>
/// Gives the wall-clock start of a call from the timestamp that also times it, so a call reads the clock twice (start and
/// end) rather than three times. The wall clock is read again whenever more than <see cref="Refresh"/> has passed since
/// it was last read, so a start time is never further off than the clock's drift over that interval.
/// </summary>
/// <remarks>Thread-safe: the anchor is one immutable object, replaced whole.</remarks>
internal sealed class CallClock(TimeProvider time)
{
    /// <summary>How long an anchor is used before the wall clock is read again.</summary>
    internal static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    private Anchor _anchor = new(time.GetUtcNow(), time.GetTimestamp());

    /// <summary>Gets a timestamp, as <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public long GetTimestamp() => time.GetTimestamp();

    /// <summary>Gets the wall-clock time at <paramref name="timestamp"/>, a timestamp just taken.</summary>
    public DateTimeOffset GetUtcAt(long timestamp)
    {
        Anchor anchor = _anchor;
        TimeSpan since = time.GetElapsedTime(anchor.Timestamp, timestamp);
        if (since < TimeSpan.Zero || since > Refresh)
        {
            anchor = new Anchor(time.GetUtcNow(), time.GetTimestamp());
            _anchor = anchor;
            return anchor.Utc - time.GetElapsedTime(timestamp, anchor.Timestamp);
        }

        return anchor.Utc + since;
    }

    private sealed record Anchor(DateTimeOffset Utc, long Timestamp);
}
