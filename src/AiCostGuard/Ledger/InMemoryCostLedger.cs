namespace AiCostGuard;

/// <summary>
/// Keeps the most recent <see cref="Capacity"/> records in memory, with no allocation per record.
/// </summary>
/// <remarks>
/// When full, the oldest record gives way to the newest and <see cref="OverwrittenCount"/> says how many did; totals
/// kept by <see cref="BudgetScope"/> are unaffected. This type is thread-safe.
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    /// <summary>The capacity used when none is given.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Lock _sync = new();
    private readonly CostRecord[] _records;
    private readonly List<OutcomeRecord> _outcomes = [];
    private long _count;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="capacity">The most records kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1 or more than 100,000,000.</exception>
    public InMemoryCostLedger(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 100_000_000);
        _records = new CostRecord[capacity];
    }

    /// <summary>Gets the most records kept.</summary>
    public int Capacity => _records.Length;

    /// <summary>Gets how many records were ever recorded.</summary>
    public long TotalRecorded
    {
        get
        {
            lock (_sync)
            {
                return _count;
            }
        }
    }

    /// <summary>Gets how many of the oldest records were overwritten because the ledger was full.</summary>
    public long OverwrittenCount => Math.Max(0, TotalRecorded - _records.Length);

    /// <inheritdoc/>
    public void Record(in CostRecord record)
    {
        lock (_sync)
        {
            _records[_count % _records.Length] = record;
            _count++;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Outcomes are few (one or a handful per run) and all are kept until <see cref="Clear"/>.</remarks>
    public void Record(in OutcomeRecord outcome)
    {
        lock (_sync)
        {
            _outcomes.Add(outcome);
        }
    }

    /// <summary>Returns the outcomes recorded, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<OutcomeRecord> GetOutcomes()
    {
        lock (_sync)
        {
            return [.. _outcomes];
        }
    }

    /// <summary>Returns the records kept, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<CostRecord> GetRecords()
    {
        lock (_sync)
        {
            int kept = (int)Math.Min(_count, _records.Length);
            var snapshot = new CostRecord[kept];
            long first = _count - kept;
            for (int i = 0; i < kept; i++)
            {
                snapshot[i] = _records[(first + i) % _records.Length];
            }

            return snapshot;
        }
    }

    /// <summary>Removes every record.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            Array.Clear(_records);
            _outcomes.Clear();
            _count = 0;
        }
    }
}
