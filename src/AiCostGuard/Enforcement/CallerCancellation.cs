namespace AiCostGuard;

/// <summary>
/// Carries a caller's cancellation of a stream to its upstream read in the way that stops the provider. Cancelling the
/// upstream token while a read is pending aborts the HTTP response; cancelling it while the caller holds an update
/// leaves no read to abort, and <c>SocketsHttpHandler</c> then drains the disposed response for up to 2 s while the
/// provider goes on generating. So a cancel that comes between reads is only noted, and the stream aborts at its next
/// read, as a cut does.
/// </summary>
internal sealed class CallerCancellation(CancellationTokenSource upstream)
{
    private const int Idle = 0;
    private const int Reading = 1;
    private const int Cancelled = 2;

    private int _state;

    /// <summary>Marks a read as started; <see langword="false"/> when the caller cancelled since the last one.</summary>
    public bool BeginRead() => Interlocked.CompareExchange(ref _state, Reading, Idle) == Idle;

    /// <summary>Marks the read as ended.</summary>
    public void EndRead() => Interlocked.CompareExchange(ref _state, Idle, Reading);

    /// <summary>The caller's token callback: cancels a pending read at once, otherwise notes the cancel for the next read.</summary>
    public void Cancel()
    {
        if (Interlocked.Exchange(ref _state, Cancelled) == Reading)
        {
            upstream.Cancel();
        }
    }
}
