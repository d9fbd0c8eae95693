namespace AiCostGuard;

/// <summary>
/// Keeps the most recent <see cref="Capacity"/> records in memory, with no allocation per record once warm.
/// </summary>
/// <remarks>
/// Storage grows by doubling as records arrive, up to <see cref="Capacity"/>, so an idle or short-lived ledger costs
/// little. When full, the oldest record gives way to the newest and <see cref="OverwrittenCount"/> says how many did;
/// totals kept by <see cref="BudgetScope"/> are unaffected. This type is thread-safe.
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    /// <summary>The capacity used when none is given.</summary>
    public const int DefaultCapacity = 100_000;

    private const int InitialStorage = 64;

    private readonly Lock _sync = new();
    private readonly int _capacity;
    private CostRecord[] _records;
    private readonly List<OutcomeRecord> _outcomes = [];
    private readonly List<EnvelopeStep> _envelopeSteps = [];
    private long _count;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="capacity">The most records kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1 or more than 100,000,000.</exception>
    public InMemoryCostLedger(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 100_000_000);
        _capacity = capacity;
        _records = new CostRecord[Math.Min(capacity, InitialStorage)];
    }

    /// <summary>Gets the most records kept.</summary>
    public int Capacity => _capacity;

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
    public long OverwrittenCount => Math.Max(0, TotalRecorded - _capacity);

    /// <inheritdoc/>
    public void Record(in CostRecord record)
    {
        lock (_sync)
        {
            if (_count == _records.Length && _records.Length < _capacity)
            {
                Array.Resize(ref _records, (int)Math.Min(_capacity, (long)_records.Length * 2));
            }

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

    /// <inheritdoc/>
    /// <remarks>Envelope steps are few (at most one per outcome or call that moves a ceiling) and all are kept until <see cref="Clear"/>.</remarks>
    public void Record(EnvelopeStep envelopeStep)
    {
        ArgumentNullException.ThrowIfNull(envelopeStep);
        lock (_sync)
        {
            _envelopeSteps.Add(envelopeStep);
        }
    }

    /// <summary>Returns the adaptive envelope steps recorded, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<EnvelopeStep> GetEnvelopeSteps()
    {
        lock (_sync)
        {
            return [.. _envelopeSteps];
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
            _records = new CostRecord[Math.Min(_capacity, InitialStorage)];
            _outcomes.Clear();
            _envelopeSteps.Clear();
            _count = 0;
        }
    }
}
