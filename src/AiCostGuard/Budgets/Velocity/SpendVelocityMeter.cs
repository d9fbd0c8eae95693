using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// Measures one <see cref="SpendVelocityRule"/>: per key, a ring of cost buckets covering the rule's window with a
/// running sum, so booking a call and reading the rate are O(1) and allocate nothing once the key is known.
/// </summary>
/// <remarks>
/// A key whose spend has left the window, and whose learned norm has been forgotten, reads exactly as a key never seen:
/// such keys are evicted by an amortised sweep that looks at <see cref="KeysSweptPerNewKey"/> keys each time a new key is
/// booked, so memory follows the keys that still count, not every key ever seen.
/// </remarks>
internal sealed class SpendVelocityMeter
{
    /// <summary>How many whole idle windows make a key forget its learned norm and window history, and start again as a new key.</summary>
    internal const int ForgetAfterWindows = 64;

    /// <summary>How many known keys one new key's booking checks for eviction: more than one, so the sweep outpaces the keys it adds.</summary>
    internal const int KeysSweptPerNewKey = 2;

    private const double BaselineWeight = 0.2;

    private readonly ConcurrentDictionary<string, Ring> _rings = new(StringComparer.Ordinal);
    private readonly Lock _sweepSync = new();
    private readonly bool _evictIdleKeys;
    private IEnumerator<KeyValuePair<string, Ring>>? _sweep;
    private readonly SpendVelocityRule _rule;
    private readonly SpendAnomalyDetector? _detector;

    public SpendVelocityMeter(SpendVelocityRule rule, bool evictIdleKeys = true)
    {
        _evictIdleKeys = evictIdleKeys;
        Name = rule.Name!;
        Window = rule.Window;
        Action = rule.Action;
        MaximumCost = rule.MaximumCost!.Value;
        Multiplier = rule.BaselineMultiplier is { } m ? (decimal)m : null;
        MaximumThrottleWait = rule.MaximumThrottleWait;
        Dimensions = rule.Dimensions;
        (BucketCount, BucketTicks) = rule.Window switch
        {
            SpendVelocityWindow.Second => (10, TimeSpan.TicksPerMillisecond * 100),
            SpendVelocityWindow.Minute => (60, TimeSpan.TicksPerSecond),
            _ => (60, TimeSpan.TicksPerMinute),
        };
        _rule = rule;
        _detector = rule.AnomalyThreshold is { } score ? new SpendAnomalyDetector(seasonLength: 1, threshold: score) : null;
    }

    public string Name { get; }

    public SpendVelocityWindow Window { get; }

    public SpendVelocityAction Action { get; }

    public decimal MaximumCost { get; }

    public decimal? Multiplier { get; }

    public TimeSpan MaximumThrottleWait { get; }

    public AttributionDimensions Dimensions { get; }

    public int BucketCount { get; }

    public long BucketTicks { get; }

    /// <summary>Gets how many keys the meter holds, for tests and diagnostics.</summary>
    internal int KeyCount => _rings.Count;

    /// <summary>Books <paramref name="cost"/> to <paramref name="key"/> at <paramref name="now"/>.</summary>
    public void Add(string key, DateTimeOffset now, decimal cost)
    {
        long index = now.UtcTicks / BucketTicks;
        while (!TryAdd(RingOf(key, index), index, cost))
        {
            // The ring was evicted between the lookup and the lock: book to the key's fresh ring instead.
        }
    }

    private bool TryAdd(Ring ring, long index, decimal cost)
    {
        lock (ring.Sync)
        {
            if (ring.Evicted)
            {
                return false;
            }

            // Raised at the key's next admission, not here: settling must not depend on a handler.
            ring.Anomaly = Advance(ring, index) ?? ring.Anomaly;
            if (index < ring.Head)
            {
                // A clock that stepped back: book to the newest bucket rather than lose the cost.
                index = ring.Head;
            }

            ring.Buckets[index % BucketCount] += cost;
            ring.Sum += cost;
            ring.AlignedSum += cost;
            return true;
        }
    }

    private Ring RingOf(string key, long index)
    {
        if (_rings.TryGetValue(key, out Ring? ring))
        {
            return ring;
        }

        ring = _rings.GetOrAdd(key, new Ring(BucketCount, key, _detector?.BaselineLength ?? 0));
        if (_evictIdleKeys)
        {
            Sweep(index);
        }

        return ring;
    }

    /// <summary>Checks the next few keys of a sweep that walks the whole meter over successive new keys, and evicts those that read as never seen.</summary>
    private void Sweep(long index)
    {
        if (!_sweepSync.TryEnter())
        {
            // Another booking is sweeping; the next new key continues.
            return;
        }

        try
        {
            for (int i = 0; i < KeysSweptPerNewKey; i++)
            {
                _sweep ??= _rings.GetEnumerator();
                if (!_sweep.MoveNext())
                {
                    // A pass is over: start the next one from the beginning.
                    _sweep.Dispose();
                    _sweep = _rings.GetEnumerator();
                    if (!_sweep.MoveNext())
                    {
                        return;
                    }
                }

                Ring ring = _sweep.Current.Value;
                lock (ring.Sync)
                {
                    if (IsForgotten(ring, index))
                    {
                        ring.Evicted = true;
                        _rings.TryRemove(new KeyValuePair<string, Ring>(ring.Key, ring));
                    }
                }
            }
        }
        finally
        {
            _sweepSync.Exit();
        }
    }

    /// <summary>
    /// Whether the ring, advanced to <paramref name="index"/>, would read as a fresh one: no spend left in the window, no
    /// learned norm or history (the rule learns none, or the key has been idle long enough to forget it), and no anomaly
    /// waiting to be raised.
    /// </summary>
    private bool IsForgotten(Ring ring, long index)
    {
        if (!ring.Started)
        {
            return false;
        }

        bool learns = Multiplier is not null || _detector is not null;
        return ring.Anomaly is null
            && (learns
                ? (index / BucketCount) - (ring.Head / BucketCount) >= ForgetAfterWindows
                : index - ring.Head >= BucketCount);
    }

    /// <summary>Reads the spend of <paramref name="key"/> within the window ending at <paramref name="now"/>.</summary>
    /// <returns>The cost within the window, the threshold in force, and how long until enough of the cost leaves the window to be back at the threshold.</returns>
    public (decimal Cost, decimal Threshold, TimeSpan Wait) Read(string key, DateTimeOffset now)
    {
        if (!_rings.TryGetValue(key, out Ring? ring))
        {
            return (0m, MaximumCost, TimeSpan.Zero);
        }

        long index = now.UtcTicks / BucketTicks;
        SpendAnomalyEventArgs? anomaly;
        (decimal Cost, decimal Threshold, TimeSpan Wait) rate;
        lock (ring.Sync)
        {
            if (ring.Evicted)
            {
                return (0m, MaximumCost, TimeSpan.Zero);
            }

            anomaly = Advance(ring, index) ?? ring.Anomaly;
            ring.Anomaly = null;
            rate = Rate(ring, now);
        }

        if (anomaly is not null)
        {
            _rule.OnAnomalyDetected(anomaly);
        }

        return rate;
    }

    private (decimal Cost, decimal Threshold, TimeSpan Wait) Rate(Ring ring, DateTimeOffset now)
    {
        decimal threshold = MaximumCost;
        if (Multiplier is { } multiplier && ring.HasBaseline)
        {
            threshold = Math.Max(threshold, multiplier * ring.Baseline);
        }

        if (ring.Sum <= threshold)
        {
            return (ring.Sum, threshold, TimeSpan.Zero);
        }

        // The oldest bucket leaves first: find the one whose departure brings the sum back to the threshold.
        decimal left = ring.Sum;
        long oldest = ring.Head - BucketCount + 1;
        for (long i = oldest; i <= ring.Head; i++)
        {
            left -= ring.Buckets[i % BucketCount];
            if (left <= threshold)
            {
                return (ring.Sum, threshold, TimeSpan.FromTicks(((i + BucketCount) * BucketTicks) - now.UtcTicks));
            }
        }

        return (ring.Sum, threshold, TimeSpan.FromTicks(((ring.Head + BucketCount) * BucketTicks) - now.UtcTicks));
    }

    private SpendAnomalyEventArgs? Advance(Ring ring, long index)
    {
        if (!ring.Started)
        {
            ring.Started = true;
            ring.Head = index;
            return null;
        }

        if (index <= ring.Head)
        {
            return null;
        }

        long completedWindows = (index / BucketCount) - (ring.Head / BucketCount);
        if (completedWindows >= ForgetAfterWindows && ring.Anomaly is null)
        {
            // Idle this long, the key starts again as a new one; this is what lets an evicted key come back unchanged.
            Forget(ring, index);
            return null;
        }

        SpendAnomalyEventArgs? anomaly = completedWindows > 0 && _detector is not null ? Score(ring, _detector, completedWindows) : null;
        if (completedWindows > 0 && Multiplier is not null)
        {
            // The aligned window that just ended joins the moving average; whole idle windows after it count as zero.
            ring.Baseline = ring.HasBaseline ? ((decimal)BaselineWeight * ring.AlignedSum) + ((1 - (decimal)BaselineWeight) * ring.Baseline) : ring.AlignedSum;
            for (long w = 1; w < Math.Min(completedWindows, 64); w++)
            {
                ring.Baseline *= 1 - (decimal)BaselineWeight;
            }

            ring.HasBaseline = true;
        }

        if (completedWindows > 0)
        {
            ring.AlignedSum = 0m;
        }

        if (index - ring.Head >= BucketCount)
        {
            Array.Clear(ring.Buckets);
            ring.Sum = 0m;
        }
        else
        {
            for (long i = ring.Head + 1; i <= index; i++)
            {
                ref decimal bucket = ref ring.Buckets[i % BucketCount];
                ring.Sum -= bucket;
                bucket = 0m;
            }
        }

        ring.Head = index;
        return anomaly;
    }

    private static void Forget(Ring ring, long index)
    {
        Array.Clear(ring.Buckets);
        ring.Sum = 0m;
        ring.AlignedSum = 0m;
        ring.Baseline = 0m;
        ring.HasBaseline = false;
        ring.WindowCount = 0;
        ring.NextWindow = 0;
        ring.Head = index;
    }

    /// <summary>Scores the aligned window that just ended against the windows before it, then keeps it (and the idle windows after it) as history.</summary>
    private SpendAnomalyEventArgs? Score(Ring ring, SpendAnomalyDetector detector, long completedWindows)
    {
        decimal[] history = ring.Windows!;
        int capacity = history.Length;
        for (int i = 0; i < ring.WindowCount; i++)
        {
            ring.Ordered![i] = history[(ring.NextWindow - ring.WindowCount + i + capacity) % capacity];
        }

        SpendAnomalyEventArgs? anomaly = null;
        if (detector.TryScore(ring.Ordered.AsSpan(0, ring.WindowCount), ring.AlignedSum, out decimal expected, out double score) && detector.IsAnomaly(score))
        {
            long start = ring.Head / BucketCount * BucketCount * BucketTicks;
            anomaly = new SpendAnomalyEventArgs(Name, ring.Key, Window, new DateTimeOffset(start, TimeSpan.Zero), ring.AlignedSum, expected, score);
        }

        for (long w = 0; w < Math.Min(completedWindows, capacity); w++)
        {
            history[ring.NextWindow] = w == 0 ? ring.AlignedSum : 0m;
            ring.NextWindow = (ring.NextWindow + 1) % capacity;
            ring.WindowCount = Math.Min(ring.WindowCount + 1, capacity);
        }

        return anomaly;
    }

    private sealed class Ring(int buckets, string key, int windows)
    {
        public Lock Sync { get; } = new();

        public decimal[] Buckets { get; } = new decimal[buckets];

        public string Key { get; } = key;

        // The spend of the last completed windows, for anomaly detection; null when the rule does not detect them.
        public decimal[]? Windows { get; } = windows > 0 ? new decimal[windows] : null;

        public decimal[]? Ordered { get; } = windows > 0 ? new decimal[windows] : null;

        public int NextWindow;
        public int WindowCount;
        public SpendAnomalyEventArgs? Anomaly;

        public long Head;
        public decimal Sum;
        public decimal AlignedSum;
        public decimal Baseline;
        public bool HasBaseline;
        public bool Started;

        // Set, under the lock, when the sweep removes the ring: a booking that found it just before must use the key's new ring.
        public bool Evicted;
    }
}
