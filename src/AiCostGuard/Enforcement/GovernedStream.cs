using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// The send step of a streamed call: counts the output as it arrives, cuts the stream at the output it was admitted
/// with, and settles it — also when it is cut, cancelled, abandoned or fails — for what it produced.
/// </summary>
/// <remarks>
/// <para>
/// A cut must stop the provider, not only the caller's view of it. Disposing a streamed HTTP response between reads
/// lets <c>SocketsHttpHandler</c> drain the body for up to its <c>ResponseDrainTimeout</c> (2 s by default) while the
/// provider goes on generating; cancelling a read that is pending aborts the connection instead. So at a cut the next
/// read is started and the upstream token cancelled while it waits. Of what arrives before that, only a usage report
/// is taken, as the provider's own count of what it billed; text after the cut is neither delivered nor counted again.
/// </para>
/// <para>
/// One instance per governed client; the upstream token sources are pooled, so a stream that is not cut allocates none.
/// A stream is one <see cref="Run"/>, an enumerator written out rather than an async iterator: an update the inner
/// client has ready is counted and handed on without a state machine step, which is what a stream pays per update.
/// </para>
/// </remarks>
internal sealed partial class GovernedStream(CallPipeline pipeline, IChatClient inner)
{
    private readonly CallPipeline _pipeline = pipeline;
    private readonly IChatClient _inner = inner;

    private const int MaximumPooledSources = 64;

    // Updates already buffered when a stream is cut are read until a read has to wait (an HTTP response holds dozens);
    // bounded, so a client that never waits (an in-process model producing on each read) is not run on for ever.
    private const int MostUpdatesReadAfterCut = 4096;

    private readonly Stack<CancellationTokenSource> _sources = new();
    private readonly Lock _sync = new();

    public IAsyncEnumerable<ChatResponseUpdate> RunAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        new Run(this, messages, options, cancellationToken);

    /// <summary>
    /// Reads until a read has to wait, cancels that read while it is pending — which aborts the HTTP response instead
    /// of draining it — and returns the updates that arrived before.
    /// </summary>
    private static async ValueTask<List<ChatResponseUpdate>> AbortAsync(IAsyncEnumerator<ChatResponseUpdate> updates, CancellationTokenSource upstream)
    {
        var late = new List<ChatResponseUpdate>();
        for (int i = 0; i < MostUpdatesReadAfterCut; i++)
        {
            ValueTask<bool> next = updates.MoveNextAsync();
            if (!next.IsCompleted)
            {
                upstream.Cancel();
            }

            try
            {
                if (!await next || upstream.IsCancellationRequested)
                {
                    break;
                }
            }
            catch (Exception) when (upstream.IsCancellationRequested)
            {
                break;
            }

            late.Add(updates.Current);
        }

        upstream.Cancel();
        return late;
    }

    private CancellationTokenSource Rent()
    {
        lock (_sync)
        {
            if (_sources.TryPop(out CancellationTokenSource? source))
            {
                return source;
            }
        }

        return new CancellationTokenSource();
    }

    private void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            lock (_sync)
            {
                if (_sources.Count < MaximumPooledSources)
                {
                    _sources.Push(source);
                    return;
                }
            }
        }

        source.Dispose();
    }
}
