using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

internal sealed partial class GovernedStream
{
    /// <summary>
    /// One governed stream: admitted on its first <see cref="MoveNextAsync"/>, counted update by update, cut at its
    /// output ceiling, and settled exactly once — when it ends, fails, is cut, or is disposed before its end.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A caller's cancel is carried upstream in the way that stops the provider. Cancelling the upstream token while a
    /// read is pending aborts the HTTP response; cancelling it while the caller holds an update leaves no read to abort,
    /// and <c>SocketsHttpHandler</c> then drains the disposed response for up to 2 s while the provider goes on
    /// generating. So a cancel between reads is only noted, and the stream aborts at its next read, as a cut does. The
    /// reads are marked only when the caller can cancel at all.
    /// </para>
    /// <para>
    /// Enumerated once, like an async iterator: the first <see cref="GetAsyncEnumerator"/> returns this instance, any
    /// later one a new stream (a new call) with the same arguments. Not safe for concurrent moves, as no enumerator is.
    /// </para>
    /// </remarks>
    private sealed class Run(GovernedStream owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private const int Fresh = 0;
        private const int Taken = 1;
        private const int Streaming = 2;
        private const int Ended = 3;

        private const int Idle = 0;
        private const int Reading = 1;
        private const int CancelNoted = 2;

        private int _state;
        private CancellationToken _enumeratorToken;
        private FanOutLease _lease;
        private Admission _admission;
        private StreamMeter _meter;
        private CallOutcome _outcome = CallOutcome.Cancelled;
        private BudgetLimitKind? _cut;
        private IAsyncEnumerator<ChatResponseUpdate>? _updates;
        private ProviderCallProbe? _probe;
        private CancellationTokenSource? _upstream;
        private CancellationTokenRegistration _caller;
        private CancellationTokenRegistration _enumeratorCaller;
        private ChatResponseUpdate? _current;
        private bool _watchesCaller;
        private int _read;

        public ChatResponseUpdate Current => _current!;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken enumeratorToken = default)
        {
            Run run = Interlocked.CompareExchange(ref _state, Taken, Fresh) == Fresh ? this : new Run(owner, messages, options, cancellationToken) { _state = Taken };
            run._enumeratorToken = enumeratorToken;
            return run;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            if (_state != Streaming)
            {
                return _state == Taken ? StartAsync() : new ValueTask<bool>(false);
            }

            return Read();
        }

        public async ValueTask DisposeAsync()
        {
            if (_state == Streaming)
            {
                // Abandoned before its end: stopped as a cut is, and charged what the provider sent meanwhile.
                await EndAsync();
            }

            _state = Ended;
        }

        /// <summary>Starts the next upstream read; an update it has ready is taken without a state machine.</summary>
        private ValueTask<bool> Read()
        {
            if (_watchesCaller && Interlocked.CompareExchange(ref _read, Reading, Idle) != Idle)
            {
                return CancelledBetweenReadsAsync();
            }

            ValueTask<bool> next;
            try
            {
                next = _updates!.MoveNextAsync();
            }
            catch (Exception e)
            {
                EndRead();
                return FailAsync(e);
            }

            if (!next.IsCompletedSuccessfully)
            {
                return AwaitNextAsync(next);
            }

            EndRead();
            return Take(next.Result);
        }

        private void EndRead()
        {
            if (_watchesCaller)
            {
                Interlocked.CompareExchange(ref _read, Idle, Reading);
            }
        }

        /// <summary>The caller's token callback: cancels a pending read at once, otherwise notes the cancel for the next read.</summary>
        private void OnCallerCancel()
        {
            if (Interlocked.Exchange(ref _read, CancelNoted) == Reading)
            {
                _upstream!.Cancel();
            }
        }

        private async ValueTask<bool> CancelledBetweenReadsAsync()
        {
            // Cancelled while the caller held the last update: abort the response at this read rather than drain it.
            foreach (ChatResponseUpdate late in await AbortAsync(_updates!, _upstream!))
            {
                _meter.ObserveUsage(late);
            }

            _outcome = CallOutcome.Cancelled;
            await EndAsync();
            throw new OperationCanceledException(cancellationToken.IsCancellationRequested ? cancellationToken : _enumeratorToken);
        }

        private ValueTask<bool> Take(bool hasNext)
        {
            if (!hasNext)
            {
                _outcome = CallOutcome.Succeeded;
                return EndWithoutUpdateAsync();
            }

            ChatResponseUpdate update = _updates!.Current;
            if (_meter.Observe(update))
            {
                return CutAsync();
            }

            _current = update;
            return new ValueTask<bool>(true);
        }

        private async ValueTask<bool> StartAsync()
        {
            _state = Ended;
            _lease = await owner._pipeline.AcquireFanOut(options, streaming: true, cancellationToken);
            try
            {
                _admission = owner._pipeline.Admit(messages, options, streaming: true);
                if (owner._pipeline.Gates.Length > 0)
                {
                    GateHold[] holds = await owner._pipeline.AdmitGatesAsync(_admission, cancellationToken);
                    _admission = owner._pipeline.Decider.WithGates(_admission, holds);
                }
            }
            catch
            {
                _lease.Release();
                throw;
            }

            _meter = new StreamMeter(_admission.EnforceOutputCeiling ? _admission.OutputTokens : long.MaxValue, oneTokenPerUpdate: _admission.Profile.Encoding is not null);
            CancellationTokenSource upstream = owner.Rent();
            _upstream = upstream;
            _watchesCaller = cancellationToken.CanBeCanceled || _enumeratorToken.CanBeCanceled;
            _caller = cancellationToken.UnsafeRegister(static s => ((Run)s!).OnCallerCancel(), this);
            _enumeratorCaller = _enumeratorToken.UnsafeRegister(static s => ((Run)s!).OnCallerCancel(), this);
            _state = Streaming;
            if (owner._pipeline.DetectsCacheHits)
            {
                // Set on this flow before the first read, which is where a cache decides to pass the call on.
                _probe = ProviderCallProbe.Begin();
            }

            try
            {
                _updates = owner._inner.GetStreamingResponseAsync(messages, _admission.Options, upstream.Token).GetAsyncEnumerator(upstream.Token);
            }
            catch (Exception e)
            {
                return await FailAsync(e);
            }

            return await Read();
        }

        private async ValueTask<bool> AwaitNextAsync(ValueTask<bool> next)
        {
            bool hasNext;
            try
            {
                hasNext = await next;
            }
            catch (Exception e)
            {
                EndRead();
                return await FailAsync(e);
            }

            EndRead();

            return await Take(hasNext);
        }

        private async ValueTask<bool> FailAsync(Exception e)
        {
            _outcome = CostGovernanceChatClient.Ended(e, CallerCancelled);
            await EndAsync();
            ExceptionDispatchInfo.Throw(e);
            return false;
        }

        private async ValueTask<bool> CutAsync()
        {
            // This update would take the output past the reserved ceiling: it is charged, not delivered.
            _cut = _admission.Verdict.LimitKind ?? BudgetLimitKind.OutputTokens;
            _outcome = CallOutcome.Succeeded;
            foreach (ChatResponseUpdate late in await AbortAsync(_updates!, _upstream!))
            {
                _meter.ObserveUsage(late);
            }

            await EndAsync();
            _current = new ChatResponseUpdate(ChatRole.Assistant, [new BudgetCutContent(_cut.Value, _meter.OutputTokens)])
            {
                FinishReason = ChatFinishReason.Length,
                ModelId = _admission.Profile.ModelId,
            };
            return true;
        }

        private async ValueTask<bool> EndWithoutUpdateAsync()
        {
            await EndAsync();
            return false;
        }

        private bool CallerCancelled => cancellationToken.IsCancellationRequested || _enumeratorToken.IsCancellationRequested;

        /// <summary>Stops the upstream stream, returns its token source, and settles the call; runs once per stream.</summary>
        private async ValueTask EndAsync()
        {
            _state = Ended;
            _current = null;
            CancellationTokenSource upstream = _upstream!;
            if (_updates is { } updates)
            {
                if (_outcome == CallOutcome.Cancelled && !upstream.IsCancellationRequested)
                {
                    // Abandoned by the consumer mid-stream: stop the provider as a cut does, and charge what it sent meanwhile.
                    foreach (ChatResponseUpdate late in await AbortAsync(updates, upstream))
                    {
                        _meter.ObserveUsage(late);
                    }
                }

                await updates.DisposeAsync();
            }

            _caller.Dispose();
            _enumeratorCaller.Dispose();
            owner.Return(upstream);
            try
            {
                BudgetUsage actual = owner._pipeline.Settlement.Settle(in _admission, messages, _outcome, _meter.Usage, response: null, _meter.OutputTokens, _cut, _meter.ModelId, _meter.FirstRawRepresentation, _probe is { Reached: false } && _outcome == CallOutcome.Succeeded);
                if (_admission.Holds is { } holds)
                {
                    await owner._pipeline.SettleGatesAsync(holds, actual);
                }
            }
            finally
            {
                _lease.Release();
            }
        }
    }
}
