using System.Runtime.CompilerServices;
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
/// <para>One instance per governed client; the upstream token sources are pooled, so a stream that is not cut allocates none.</para>
/// </remarks>
internal sealed class GovernedStream(CallPipeline pipeline, IChatClient inner)
{
    private const int MaximumPooledSources = 64;

    // Updates already buffered when a stream is cut are read until a read has to wait (an HTTP response holds dozens);
    // bounded, so a client that never waits (an in-process model producing on each read) is not run on for ever.
    private const int MostUpdatesReadAfterCut = 4096;

    private readonly Stack<CancellationTokenSource> _sources = new();
    private readonly Lock _sync = new();

    public async IAsyncEnumerable<ChatResponseUpdate> RunAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FanOutLease lease = await pipeline.AcquireFanOut(options, streaming: true, cancellationToken);
        Admission admission;
        try
        {
            admission = pipeline.Admit(messages, options, streaming: true);
            if (pipeline.Gates.Length > 0)
            {
                admission = await pipeline.AdmitGatesAsync(admission, cancellationToken);
            }
        }
        catch
        {
            lease.Release();
            throw;
        }

        var meter = new StreamMeter(admission.EnforceOutputCeiling ? admission.OutputTokens : long.MaxValue, oneTokenPerUpdate: admission.Profile.Encoding is not null);
        CallOutcome outcome = CallOutcome.Cancelled;
        BudgetLimitKind? cut = null;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        CancellationTokenSource upstream = Rent();
        CallerCancellation? cancellation = cancellationToken.CanBeCanceled ? new CallerCancellation(upstream) : null;
        CancellationTokenRegistration caller = cancellation is null ? default : cancellationToken.UnsafeRegister(static s => ((CallerCancellation)s!).Cancel(), cancellation);
        try
        {
            updates = inner.GetStreamingResponseAsync(messages, admission.Options, upstream.Token).GetAsyncEnumerator(upstream.Token);
            while (true)
            {
                if (cancellation?.BeginRead() == false)
                {
                    // Cancelled while the caller held the last update: abort the response at this read rather than drain it.
                    foreach (ChatResponseUpdate late in await AbortAsync(updates, upstream))
                    {
                        meter.ObserveUsage(late);
                    }

                    throw new OperationCanceledException(cancellationToken);
                }

                bool hasNext;
                try
                {
                    hasNext = await updates.MoveNextAsync();
                }
                catch (Exception e)
                {
                    outcome = CostGovernanceChatClient.Ended(e, cancellationToken);
                    throw;
                }
                finally
                {
                    cancellation?.EndRead();
                }

                if (!hasNext)
                {
                    outcome = CallOutcome.Succeeded;
                    break;
                }

                ChatResponseUpdate update = updates.Current;
                if (meter.Observe(update))
                {
                    // This update would take the output past the reserved ceiling: it is charged, not delivered.
                    cut = admission.Verdict.LimitKind ?? BudgetLimitKind.OutputTokens;
                    outcome = CallOutcome.Succeeded;
                    foreach (ChatResponseUpdate late in await AbortAsync(updates, upstream))
                    {
                        meter.ObserveUsage(late);
                    }

                    break;
                }

                yield return update;
            }
        }
        finally
        {
            if (updates is not null)
            {
                if (outcome == CallOutcome.Cancelled && !upstream.IsCancellationRequested)
                {
                    // Abandoned by the consumer mid-stream: stop the provider as a cut does, and charge what it sent meanwhile.
                    foreach (ChatResponseUpdate late in await AbortAsync(updates, upstream))
                    {
                        meter.ObserveUsage(late);
                    }
                }

                await updates.DisposeAsync();
            }

            caller.Dispose();
            Return(upstream);

            BudgetUsage actual = pipeline.Settlement.Settle(in admission, messages, outcome, meter.Usage, response: null, meter.OutputTokens, cut, meter.ModelId, meter.FirstRawRepresentation);
            if (admission.Holds is { } holds)
            {
                await pipeline.SettleGatesAsync(holds, actual);
            }

            lease.Release();
        }

        if (cut is { } kind)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new BudgetCutContent(kind, meter.OutputTokens)])
            {
                FinishReason = ChatFinishReason.Length,
                ModelId = admission.Profile.ModelId,
            };
        }
    }

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
