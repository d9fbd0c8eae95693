using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// The default <see cref="IBudgetStore"/>: period budgets held in this process's memory, exact to the last decimal
/// digit, every operation completing synchronously.
/// </summary>
/// <remarks>
/// <para>
/// A budget key keeps one bucket per calendar period or rolling-window bucket; buckets that can no longer fall in a
/// window are dropped on the key's next operation. For idempotency a key remembers the ids of its last
/// <see cref="RememberedCommitsPerKey"/> commits (a commit repeated after that many others would count again), so
/// memory follows the number of live keys, not the number of calls.
/// </para>
/// <para>This type is thread-safe: each key is guarded by its own lock, held only for arithmetic (never across an await).</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    /// <summary>How many recent commit ids each key remembers, to count a repeated commit once.</summary>
    public const int RememberedCommitsPerKey = 4096;

    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(limits);
        KeyState state = State(window);
        lock (state.Sync)
        {
            state.Prune(window);
            if (state.Reservations.ContainsKey(reservationId))
            {
                return new(BudgetReservation.Reserved);
            }

            BudgetReservation answer = BudgetReservation.Check(state.Used(window), amount, limits);
            if (answer.IsReserved)
            {
                Bucket bucket = state.Bucket(window);
                bucket.Reserved += amount;
                state.Reservations[reservationId] = (window.Start, amount);
            }

            return new(answer);
        }
    }

    /// <inheritdoc/>
    public ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        KeyState state = State(window);
        lock (state.Sync)
        {
            if (!state.Remember(reservationId))
            {
                return default;
            }

            Bucket bucket = state.Bucket(window);

            if (state.Reservations.Remove(reservationId, out (DateTimeOffset Start, BudgetUsage Amount) held)
                && state.Buckets.TryGetValue(held.Start, out Bucket? heldIn))
            {
                heldIn.Reserved -= held.Amount;
            }

            bucket.Committed += actual;
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<BudgetWindowUsage> GetUsageAsync(BudgetWindow window, CancellationToken cancellationToken = default)
    {
        if (!_keys.TryGetValue(window.Key, out KeyState? state))
        {
            return default;
        }

        lock (state.Sync)
        {
            state.Prune(window);
            BudgetUsage committed = default;
            BudgetUsage reserved = default;
            foreach (KeyValuePair<DateTimeOffset, Bucket> bucket in state.Buckets)
            {
                if (InWindow(bucket.Key, window))
                {
                    committed += bucket.Value.Committed;
                    reserved += bucket.Value.Reserved;
                }
            }

            return new(new BudgetWindowUsage(committed, reserved));
        }
    }

    private static bool InWindow(DateTimeOffset bucketStart, BudgetWindow window) =>
        window.IsRolling
            ? bucketStart <= window.Start && bucketStart > window.Start - (window.BucketLength * window.BucketCount)
            : bucketStart == window.Start;

    private KeyState State(BudgetWindow window)
    {
        ArgumentException.ThrowIfNullOrEmpty(window.Key);
        return _keys.GetOrAdd(window.Key, static _ => new KeyState());
    }

    private sealed class Bucket(DateTimeOffset retainUntil)
    {
        public BudgetUsage Committed;
        public BudgetUsage Reserved;

        public DateTimeOffset RetainUntil { get; } = retainUntil;
    }

    private sealed class KeyState
    {
        public Lock Sync { get; } = new();

        public Dictionary<DateTimeOffset, Bucket> Buckets { get; } = [];

        public Dictionary<string, (DateTimeOffset Start, BudgetUsage Amount)> Reservations { get; } = new(StringComparer.Ordinal);

        private HashSet<string> CommittedIds { get; } = new(StringComparer.Ordinal);

        private Queue<string> CommitOrder { get; } = new();

        /// <summary>Remembers a commit id; false when it is already remembered.</summary>
        public bool Remember(string id)
        {
            if (!CommittedIds.Add(id))
            {
                return false;
            }

            CommitOrder.Enqueue(id);
            if (CommitOrder.Count > RememberedCommitsPerKey)
            {
                CommittedIds.Remove(CommitOrder.Dequeue());
            }

            return true;
        }

        public Bucket Bucket(BudgetWindow window)
        {
            if (!Buckets.TryGetValue(window.Start, out Bucket? bucket))
            {
                bucket = new Bucket(window.RetainUntil);
                Buckets[window.Start] = bucket;
            }

            return bucket;
        }

        public BudgetUsage Used(BudgetWindow window)
        {
            BudgetUsage used = default;
            foreach (KeyValuePair<DateTimeOffset, Bucket> bucket in Buckets)
            {
                if (InWindow(bucket.Key, window))
                {
                    used += bucket.Value.Committed + bucket.Value.Reserved;
                }
            }

            return used;
        }

        // A bucket is dropped once the window has moved past it; its in-flight reservations then commit into a fresh
        // bucket of the old window, which is dropped in turn.
        public void Prune(BudgetWindow window)
        {
            if (Buckets.Count == 0)
            {
                return;
            }

            List<DateTimeOffset>? stale = null;
            foreach (KeyValuePair<DateTimeOffset, Bucket> bucket in Buckets)
            {
                if (bucket.Value.RetainUntil <= window.Start)
                {
                    (stale ??= []).Add(bucket.Key);
                }
            }

            if (stale is null)
            {
                return;
            }

            foreach (DateTimeOffset start in stale)
            {
                Buckets.Remove(start);
            }

            List<string>? orphans = null;
            foreach (KeyValuePair<string, (DateTimeOffset Start, BudgetUsage Amount)> reservation in Reservations)
            {
                if (!Buckets.ContainsKey(reservation.Value.Start))
                {
                    (orphans ??= []).Add(reservation.Key);
                }
            }

            foreach (string id in orphans ?? [])
            {
                Reservations.Remove(id);
            }
        }
    }
}
