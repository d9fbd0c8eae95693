using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// The calls a <see cref="PolicyCallRate"/> let through, per attribution key, in a sliding window: each key keeps the
/// times of its calls still in the window, at most <see cref="PolicyCallRate.MaximumCalls"/> of them.
/// </summary>
/// <remarks>
/// At most <see cref="MaximumKeys"/> keys are kept. A new key beyond that first evicts the keys whose calls have all
/// left the window; when every key is still in use, the call is counted under one shared overflow key, so a flood of
/// new keys is limited together rather than not at all. Thread-safe.
/// </remarks>
internal sealed class CallRateWindow
{
    public const int MaximumKeys = 10_000;

    private const string OverflowKey = "(overflow)";

    private readonly ConcurrentDictionary<string, Calls> _keys = new(StringComparer.Ordinal);
    private readonly int _maximumCalls;
    private readonly long _windowTicks;
    private readonly Lock _eviction = new();

    public CallRateWindow(PolicyCallRate rate)
    {
        _maximumCalls = rate.MaximumCalls;
        _windowTicks = rate.Window!.Value.Ticks;
    }

    public int Count => _keys.Count;

    /// <summary>Counts a call of <paramref name="key"/> at <paramref name="now"/> when the window has room; otherwise returns when it will.</summary>
    public bool TryTake(string key, DateTimeOffset now, out DateTimeOffset retryAt)
    {
        Calls calls = Of(key, now.UtcTicks);
        lock (calls)
        {
            long oldest = calls.Expire(now.UtcTicks - _windowTicks);
            if (calls.Count < _maximumCalls)
            {
                calls.Add(now.UtcTicks);
                retryAt = default;
                return true;
            }

            retryAt = new DateTimeOffset(oldest + _windowTicks, TimeSpan.Zero);
            return false;
        }
    }

    /// <summary>Gives back the last call counted for <paramref name="key"/>: another policy denied it after this one let it through.</summary>
    public void Return(string key)
    {
        if (_keys.TryGetValue(key, out Calls? calls) || _keys.TryGetValue(OverflowKey, out calls))
        {
            lock (calls)
            {
                calls.RemoveNewest();
            }
        }
    }

    private Calls Of(string key, long now)
    {
        if (_keys.TryGetValue(key, out Calls? calls))
        {
            return calls;
        }

        if (_keys.Count >= MaximumKeys)
        {
            lock (_eviction)
            {
                if (_keys.Count >= MaximumKeys)
                {
                    long cutoff = now - _windowTicks;
                    foreach (KeyValuePair<string, Calls> entry in _keys)
                    {
                        bool idle;
                        lock (entry.Value)
                        {
                            idle = entry.Value.Newest <= cutoff;
                        }

                        if (idle && entry.Key != OverflowKey)
                        {
                            _keys.TryRemove(entry);
                        }
                    }
                }

                if (_keys.Count >= MaximumKeys)
                {
                    return _keys.GetOrAdd(OverflowKey, _ => new Calls());
                }
            }
        }

        return _keys.GetOrAdd(key, _ => new Calls());
    }

    /// <summary>The times of one key's calls in the window, oldest first, in a ring that grows as needed.</summary>
    private sealed class Calls
    {
        private long[] _times = new long[4];
        private int _head;

        public int Count { get; private set; }

        public long Newest => Count == 0 ? long.MinValue : _times[(_head + Count - 1) % _times.Length];

        /// <summary>Drops the calls at or before <paramref name="cutoff"/>; returns the oldest call left.</summary>
        public long Expire(long cutoff)
        {
            while (Count > 0 && _times[_head] <= cutoff)
            {
                _head = (_head + 1) % _times.Length;
                Count--;
            }

            return Count == 0 ? long.MinValue : _times[_head];
        }

        public void Add(long time)
        {
            if (Count == _times.Length)
            {
                var grown = new long[_times.Length * 2];
                for (int i = 0; i < Count; i++)
                {
                    grown[i] = _times[(_head + i) % _times.Length];
                }

                _times = grown;
                _head = 0;
            }

            _times[(_head + Count) % _times.Length] = time;
            Count++;
        }

        public void RemoveNewest()
        {
            if (Count > 0)
            {
                Count--;
            }
        }
    }
}
