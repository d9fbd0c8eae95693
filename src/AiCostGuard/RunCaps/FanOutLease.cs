namespace AiCostGuard;

/// <summary>
/// The fan-out slots a model call holds in the scopes of its chain that cap concurrent model calls; released when
/// the call settles.
/// </summary>
internal readonly struct FanOutLease
{
    private readonly BudgetScope? _innermost;
    private readonly int _held;

    private FanOutLease(BudgetScope innermost, int held)
    {
        _innermost = innermost;
        _held = held;
    }

    /// <summary>Takes a slot in every capped scope of the chain, waiting or failing by <paramref name="action"/>.</summary>
    /// <returns>The lease; a default lease when no scope caps fan-out, without allocating.</returns>
    public static ValueTask<FanOutLease> AcquireAsync(BudgetScope? innermost, ConcurrencyLimitAction action, string? modelId, CancellationToken cancellationToken)
    {
        for (BudgetScope? s = innermost; s is not null; s = s.Parent)
        {
            if (s.Concurrency is not null)
            {
                return AcquireSlowAsync(innermost!, action, modelId, cancellationToken);
            }
        }

        return default;
    }

    /// <summary>Releases the slots taken.</summary>
    public void Release()
    {
        int left = _held;
        for (BudgetScope? s = _innermost; s is not null && left > 0; s = s.Parent)
        {
            if (s.Concurrency is { } gate)
            {
                gate.Release();
                left--;
            }
        }
    }

    private static async ValueTask<FanOutLease> AcquireSlowAsync(BudgetScope innermost, ConcurrencyLimitAction action, string? modelId, CancellationToken cancellationToken)
    {
        int held = 0;
        try
        {
            for (BudgetScope? s = innermost; s is not null; s = s.Parent)
            {
                if (s.Concurrency is not { } gate)
                {
                    continue;
                }

                if (action == ConcurrencyLimitAction.Reject)
                {
                    if (!gate.Wait(0, CancellationToken.None))
                    {
                        int cap = s.Limits.MaximumConcurrentModelCalls!.Value;
                        throw new BudgetExceededException(BudgetLimitKind.ConcurrentModelCalls, cap, cap, 1, s.Name, modelId);
                    }
                }
                else
                {
                    await gate.WaitAsync(cancellationToken);
                }

                held++;
            }
        }
        catch
        {
            new FanOutLease(innermost, held).Release();
            throw;
        }

        return new FanOutLease(innermost, held);
    }
}
