namespace AiCostGuard.Redis;

/// <summary>
/// A chunk of one window's allowance held by this process: calls reserve and commit against it locally; its spend is
/// written to Redis when it is renewed or returned.
/// </summary>
internal sealed class RedisLease(string id, BudgetWindow window)
{
    public Lock Sync { get; } = new();

    /// <summary>Serializes round trips for this lease; never held together with <see cref="Sync"/>.</summary>
    public SemaphoreSlim Renewal { get; } = new(1, 1);

    /// <summary>The lease's reservation id in Redis.</summary>
    public string Id { get; } = id;

    public BudgetWindow Window { get; set; } = window;

    private long FlushSequence { get; set; }

    /// <summary>What Redis holds for this lease.</summary>
    public RedisAmount Granted { get; set; }

    /// <summary>The worst cases of the calls in flight under the lease.</summary>
    public RedisAmount Reserved { get; set; }

    /// <summary>What settled calls spent under the lease, not yet written to Redis.</summary>
    public RedisAmount Unflushed { get; set; }

    /// <summary>Spend being written to Redis under <see cref="PendingFlushId"/>; resent under the same id until Redis confirms it, so it is counted once.</summary>
    public RedisAmount PendingFlush { get; set; }

    public string? PendingFlushId { get; set; }

    /// <summary>Whether a round trip for this lease is in flight: no call takes from it meanwhile, so what Redis grants covers every call admitted under it.</summary>
    public bool Renewing { get; set; }

    public DateTimeOffset RenewAfter { get; set; }

    public Dictionary<string, RedisAmount> Calls { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Committed { get; } = new(StringComparer.Ordinal);

    public RedisAmount Remaining => Granted - Reserved - Unflushed - PendingFlush;

    /// <summary>Moves unflushed spend into the pending flush, unless one is still unconfirmed; the caller holds <see cref="Sync"/>.</summary>
    public (string FlushId, RedisAmount Flush) BeginFlush()
    {
        if (PendingFlushId is null && !Unflushed.IsZero)
        {
            PendingFlush = Unflushed;
            Unflushed = default;
            PendingFlushId = $"{Id}:{++FlushSequence}";
        }

        return (PendingFlushId ?? string.Empty, PendingFlush);
    }

    /// <summary>Records that Redis took the pending flush; the caller holds <see cref="Sync"/>.</summary>
    public void EndFlush()
    {
        PendingFlush = default;
        PendingFlushId = null;
    }
}
