using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// The send step of a streamed call: counts the output as it arrives, cuts the stream at the output it was admitted
/// with, and settles it — also when it is cut, cancelled, abandoned or fails — for what it produced.
/// </summary>
/// <remarks>One instance per governed client; a stream's state lives in its iterator, so it holds no more than a call's arguments.</remarks>
internal sealed class GovernedStream(CallPipeline pipeline, IChatClient inner)
{
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
        try
        {
            updates = inner.GetStreamingResponseAsync(messages, admission.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
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
                    break;
                }

                yield return update;
            }
        }
        finally
        {
            if (updates is not null)
            {
                // Disposing the upstream enumerator cancels the provider's stream: a cut stream stops costing money.
                await updates.DisposeAsync();
            }

            BudgetUsage actual = pipeline.Settlement.Settle(in admission, messages, outcome, meter.Usage, response: null, meter.OutputTokens, cut);
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
}
