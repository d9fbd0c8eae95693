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
/// <para>
/// A key none of whose buckets can fall in a window any more is forgotten whole: each time a new key arrives, the store
/// checks the next <see cref="KeysSweptPerNewKey"/> keys of a sweep over all of them, against the latest window start
/// it has been given (its clock, never ahead of the callers'). A forgotten key that comes back starts empty, as its
/// windows would have; memory follows the keys that still have spend that counts, not every key ever seen.
/// </para>
/// <para>This type is thread-safe: each key is guarded by its own lock, held only for arithmetic (never across an await).</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    /// <summary>How many recent commit ids each key remembers, to count a repeated commit once.</summary>
    public const int RememberedCommitsPerKey = 4096;

    /// <summary>How many known keys each new key checks for eviction: more than one, so the sweep outpaces the keys it adds.</summary>
    internal const int KeysSweptPerNewKey = 2;

    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Lock _sweepSync = new();
    private readonly bool _evictIdleKeys;
    private IEnumerator<KeyValuePair<string, KeyState>>? _sweep;
    private long _clockTicks = long.MinValue;

    /// <summary>Initializes a new instance of the <see cref="InMemoryBudgetStore"/> class.</summary>
    public InMemoryBudgetStore()
        : this(evictIdleKeys: true)
    {
    }

    internal InMemoryBudgetStore(bool evictIdleKeys) => _evictIdleKeys = evictIdleKeys;

    /// <summary>Gets how many budget keys the store holds, for tests and diagnostics.</summary>
    internal int KeyCount => _keys.Count;

    /// <inheritdoc/>
    public ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(limits);
        KeyState state = State(window);
        state.Sync.Enter();
        while (state.Evicted)
        {
            state.Sync.Exit();
            state = State(window);
            state.Sync.Enter();
        }

        try
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
        finally
        {
            state.Sync.Exit();
        }
    }

    /// <inheritdoc/>
    public ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        KeyState state = State(window);
        state.Sync.Enter();
        while (state.Evicted)
        {
            state.Sync.Exit();
            state = State(window);
            state.Sync.Enter();
        }

        try
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
        finally
        {
            state.Sync.Exit();
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
            if (state.Evicted)
            {
                return default;
            }

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

    /// <summary>Finds or adds the key's state; adding one moves the clock to the window and sweeps a few known keys.</summary>
    private KeyState State(BudgetWindow window)
    {
        ArgumentException.ThrowIfNullOrEmpty(window.Key);
        long clock = AdvanceClock(window.Start.UtcTicks);
        if (_keys.TryGetValue(window.Key, out KeyState? state))
        {
            return state;
        }

        state = _keys.GetOrAdd(window.Key, static _ => new KeyState());
        if (_evictIdleKeys)
        {
            Sweep(new DateTimeOffset(clock, TimeSpan.Zero), state);
        }

        return state;
    }

    // The latest window start seen: no caller's clock is behind it, so a bucket retained only until then counts in no window any more.
    private long AdvanceClock(long ticks)
    {
        long seen = Volatile.Read(ref _clockTicks);
        while (ticks > seen)
        {
            long previous = Interlocked.CompareExchange(ref _clockTicks, ticks, seen);
            if (previous == seen)
            {
                return ticks;
            }

            seen = previous;
        }

        return seen;
    }

    private void Sweep(DateTimeOffset clock, KeyState added)
    {
        if (!_sweepSync.TryEnter())
        {
            // Another new key is sweeping; the next one continues.
            return;
        }

        try
        {
            for (int i = 0; i < KeysSweptPerNewKey; i++)
            {
                _sweep ??= _keys.GetEnumerator();
                if (!_sweep.MoveNext())
                {
                    // A pass is over: start the next one from the beginning.
                    _sweep.Dispose();
                    _sweep = _keys.GetEnumerator();
                    if (!_sweep.MoveNext())
                    {
                        return;
                    }
                }

                (string key, KeyState state) = _sweep.Current;
                if (ReferenceEquals(state, added))
                {
                    continue;
                }

                lock (state.Sync)
                {
                    if (state.IsForgotten(clock))
                    {
                        state.Evicted = true;
                        _keys.TryRemove(new KeyValuePair<string, KeyState>(key, state));
                    }
                }
            }
        }
        finally
        {
            _sweepSync.Exit();
        }
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

        // Set, under the lock, when the sweep removes the key: an operation that found it just before uses the key's new state.
        public bool Evicted { get; set; }

        /// <summary>
        /// Whether no bucket can fall in a window starting at <paramref name="clock"/> or later: the key then reads as
        /// never seen, and its reservations belong to buckets already gone.
        /// </summary>
        /// <remarks>
        /// The commit ids it remembers go with it: a commit repeated after that lands in its own past window, which no
        /// longer counts. An operation that found the key just before it was removed sees <see cref="Evicted"/> and
        /// starts again on the key's new state.
        /// </remarks>
        public bool IsForgotten(DateTimeOffset clock)
        {
            foreach (Bucket bucket in Buckets.Values)
            {
                if (bucket.RetainUntil > clock)
                {
                    return false;
                }
            }

            return true;
        }

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
