using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// A cost ledger in PostgreSQL that many processes write at once: every call, outcome and move of an adaptive envelope
/// becomes a row of <c>{schema}.calls</c>, <c>{schema}.outcomes</c> or <c>{schema}.envelope_steps</c> (see
/// <see cref="PostgreSqlLedgerSchema"/>), read back with
/// <see cref="PostgreSqlLedgerReader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Records leave the caller's path through a bounded queue (<see cref="PostgreSqlLedgerOptions.QueueCapacity"/>), as
/// with <see cref="JsonLinesCostLedger"/>: when it is full the caller waits for room or the record is dropped and counted,
/// as <see cref="PostgreSqlLedgerOptions.WaitWhenQueueFull"/> says. One background writer takes up to
/// <see cref="PostgreSqlLedgerOptions.MaximumBatchSize"/> records at a time and writes them with binary <c>COPY</c> in one
/// transaction. Each record is numbered when it is handed over — record n of this ledger instance (its writer) — and its id
/// is the writer's random name followed by that number; it keeps it across retries, and rows are inserted with
/// <c>ON CONFLICT (id) DO NOTHING</c>, so a batch written again after a failure whose commit did land is stored once.
/// </para>
/// <para>
/// Because the numbers have no gap, what a writer was handed and never stored is counted after the fact, even when the
/// process was killed: each batch stores how many records the writer had been handed in <c>{schema}.writers</c>, and
/// with <see cref="PostgreSqlLedgerOptions.HandOffJournalDirectory"/> that count is also kept in a memory-mapped file
/// that outlives the process, stored by the next ledger started on the same directory.
/// <see cref="PostgreSqlLedgerWriters.ReadAsync"/> lists each writer's missing records.
/// </para>
/// <para>
/// A failed write (the database down, a lost connection) is logged once per episode, counted in
/// <see cref="CostGovernanceTelemetry.LedgerWriteFailuresMetric"/>, and retried on a timer
/// (<see cref="PostgreSqlLedgerOptions.RetryDelay"/>, doubling up to <see cref="PostgreSqlLedgerOptions.MaximumRetryDelay"/>)
/// with the records kept in memory, up to <see cref="PostgreSqlLedgerOptions.QueueCapacity"/> of them; beyond that the
/// oldest are dropped and counted (<see cref="DroppedCount"/>, <see cref="CostGovernanceTelemetry.LedgerDroppedMetric"/>,
/// a log line). Meanwhile calls go on (fail-open) or are refused (<see cref="PostgreSqlLedgerOptions.FailClosed"/>) until a
/// write succeeds again. What cannot be written when the ledger is disposed is dropped and counted too.
/// </para>
/// <para>This type is thread-safe. Dispose it to write what is queued.</para>
/// </remarks>
public sealed partial class PostgreSqlCostLedger : ICostLedger, IAsyncDisposable, IDisposable
{
    private readonly Channel<Entry> _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _schema;
    private readonly int _capacity;
    private readonly int _batchSize;

    // What the writer takes off the queue at once while healthy: a batch per connection, but never more than the capacity,
    // which only a failing writer may exceed (dropping the oldest); callers refill the queue while it drains.
    private readonly int _drainLimit;
    private readonly bool _waitWhenFull;
    private readonly bool _failClosed;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _maximumRetryDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<LedgerRow> _pending = [];
    private readonly List<TaskCompletionSource> _flushes = [];
    private readonly Task _writer;
    private readonly ulong _idPrefix = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
    private readonly HandOffJournal _journal;
    private readonly PostgreSqlBatchWriter[] _batches;
    private readonly string? _journalDirectory;
    private bool _migrated;
    private long _dropped;
    private volatile Exception? _failure;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Initializes a new instance and starts its background writer; the first write creates or migrates the schema.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="dataSource">The database to write to, shared with the application; <see langword="null"/> opens one from <see cref="PostgreSqlLedgerOptions.ConnectionString"/>, which the ledger disposes.</param>
    /// <param name="timeProvider">The clock for retry delays; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger for write failures and drops; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    /// <exception cref="IOException">The hand-off journal cannot be created in <see cref="PostgreSqlLedgerOptions.HandOffJournalDirectory"/>.</exception>
    public PostgreSqlCostLedger(PostgreSqlLedgerOptions options, NpgsqlDataSource? dataSource = null, TimeProvider? timeProvider = null, ILogger<PostgreSqlCostLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate(hasDataSource: dataSource is not null);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(PostgreSqlLedgerOptions), typeof(PostgreSqlLedgerOptions), problems);
        }

        _ownsDataSource = dataSource is null;
        _dataSource = dataSource ?? NpgsqlDataSource.Create(options.ConnectionString!);
        _schema = options.Schema;
        _capacity = options.QueueCapacity;
        _batchSize = options.MaximumBatchSize;
        _waitWhenFull = options.WaitWhenQueueFull;
        _failClosed = options.FailClosed;
        _retryDelay = options.RetryDelay;
        _maximumRetryDelay = options.MaximumRetryDelay;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _journalDirectory = options.HandOffJournalDirectory;
        _drainLimit = Math.Min(options.MaximumBatchSize * options.MaximumConcurrentBatches, options.QueueCapacity);
        _batches = [.. Enumerable.Range(0, options.MaximumConcurrentBatches).Select(_ => new PostgreSqlBatchWriter(_dataSource, _schema))];
        _journal = HandOffJournal.Start(_journalDirectory, _schema, _idPrefix, _time.GetUtcNow());
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Gets whether the last write failed (its records wait for a retry).</summary>
    public bool IsFailing => _failure is not null;

    /// <summary>
    /// Occurs on the background writer when the ledger starts failing (a write failed; <see cref="IsFailing"/> is
    /// <see langword="true"/>) and when it recovers (a write succeeded again). An exception thrown by a handler is logged.
    /// </summary>
    public event EventHandler? AvailabilityChanged;

    /// <summary>Gets this ledger instance's name in <c>{schema}.writers</c>: 16 hex digits, the first half of every record id it writes.</summary>
    public string WriterName => _journal.Writer;

    /// <summary>Gets how many records have been handed to this ledger: the number of the last one.</summary>
    public long HandedOffCount => _journal.Count;

    /// <summary>Gets how many records this ledger has dropped: refused by a full queue, pushed out of the retry buffer, or left unwritten at disposal.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <inheritdoc/>
    /// <remarks>Queues the record and returns; it waits only when the queue is full and <see cref="PostgreSqlLedgerOptions.WaitWhenQueueFull"/> is set.</remarks>
    public void Record(in CostRecord record) => Enqueue(new Entry(record, default, IsOutcome: false, Flushed: null, _journal.Next()));

    /// <inheritdoc/>
    public void Record(in OutcomeRecord outcome) => Enqueue(new Entry(default, outcome, IsOutcome: true, Flushed: null, _journal.Next()));

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="envelopeStep"/> is <see langword="null"/>.</exception>
    public void Record(EnvelopeStep envelopeStep)
    {
        ArgumentNullException.ThrowIfNull(envelopeStep);
        Enqueue(new Entry(default, default, IsOutcome: false, Flushed: null, _journal.Next(), envelopeStep));
    }

    /// <inheritdoc/>
    public void ThrowIfUnavailable()
    {
        if (_failClosed && _failure is { } failure)
        {
            throw new CostLedgerUnavailableException($"The PostgreSQL ledger (schema '{_schema}') cannot write ({failure.Message}); it is configured fail-closed, so calls are refused until a write succeeds.", failure);
        }
    }

    /// <summary>Writes every record queued before this call now (without waiting for a retry delay), and waits until they are written or the attempt failed.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the records are in the database or kept for a retry.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Entry(default, default, IsOutcome: false, flushed, 0), cancellationToken);
        Volatile.Read(ref _wake).TrySetResult();
        await flushed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes what is queued (one more attempt for records kept after a failure; what still fails is dropped and counted),
    /// stores the final hand-off count in <c>{schema}.writers</c> (then deletes the hand-off journal; when the database
    /// cannot be reached the journal stays, for the next ledger on its directory to store), and closes the data source
    /// the ledger opened.
    /// </summary>
    /// <returns>A task that completes when the writer has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_queue.Writer.TryComplete())
        {
            Volatile.Read(ref _wake).TrySetResult();
            await _writer;
            await EndAsync();
            if (_ownsDataSource)
            {
                await _dataSource.DisposeAsync();
            }
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task EndAsync()
    {
        bool stored = _journal.Count == 0;
        if (!stored)
        {
            try
            {
                await PostgreSqlLedgerWriters.StoreAsync(_dataSource, _schema, Writer(), "closed", CancellationToken.None);
                stored = true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.EndNotStored(_logger, e, _schema, _journal.Count, _journal.Path ?? "none: set HandOffJournalDirectory to keep it");
            }
        }

        _journal.Close(delete: stored);
    }

    private PostgreSqlLedgerWriters.WriterRow Writer() => new(_journal.Writer, Environment.MachineName, Environment.ProcessId, _journal.StartedAt, _journal.Count);

    private void Enqueue(in Entry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            return;
        }

        if (_waitWhenFull)
        {
            // Back-pressure: the caller waits for the writer, so the record is never dropped.
            try
            {
                _queue.Writer.WriteAsync(entry).AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException)
            {
                Dropped(1);
            }

            return;
        }

        Dropped(1);
    }

    private void Dropped(int count)
    {
        Interlocked.Add(ref _dropped, count);
        CostLedgerTotals.AddDropped(count);
        Log.Dropped(_logger, count, _schema);
    }

    private async Task RunAsync()
    {
        int failures = 0;
        while (true)
        {
            // A flush or a disposal arriving after this point wakes a back-off below.
            Volatile.Write(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (_pending.Count == 0 && !await _queue.Reader.WaitToReadAsync())
            {
                break;
            }

            Drain();
            bool written = await TryWritePendingAsync();
            CompleteFlushes();
            if (written)
            {
                failures = 0;
                continue;
            }

            if (_queue.Reader.Completion.IsCompleted)
            {
                break;
            }

            failures++;
            await BackOffAsync(Delay(failures));
        }

        if (_pending.Count > 0)
        {
            // Disposed while failing: the last attempt above failed too.
            int lost = _pending.Count;
            _pending.Clear();
            Dropped(lost);
        }

        CompleteFlushes();
    }

    private TimeSpan Delay(int failures)
    {
        double factor = Math.Pow(2, Math.Min(failures - 1, 30));
        TimeSpan delay = _retryDelay * factor;
        return delay < _maximumRetryDelay ? delay : _maximumRetryDelay;
    }

    /// <summary>Moves queued records into the pending batch, giving each its id; past the capacity the oldest are dropped and counted.</summary>
    private void Drain()
    {
        while (_queue.Reader.TryRead(out Entry entry))
        {
            if (entry.Flushed is { } flushed)
            {
                _flushes.Add(flushed);
                continue;
            }

            _pending.Add(new LedgerRow(HandOffJournal.RecordId(_idPrefix, entry.Sequence), entry.Call, entry.Outcome, entry.IsOutcome, entry.Step));
            if (_pending.Count >= _drainLimit && _failure is null)
            {
                // Enough for a batch on every connection while healthy; the rest stays queued (and keeps applying back-pressure).
                break;
            }
        }

        if (_pending.Count > _capacity)
        {
            int excess = _pending.Count - _capacity;
            _pending.RemoveRange(0, excess);
            Dropped(excess);
        }
    }

    private async Task<bool> TryWritePendingAsync()
    {
        try
        {
            if (!_migrated)
            {
                await PostgreSqlLedgerSchema.MigrateAsync(_dataSource, _schema);
                if (_journalDirectory is not null)
                {
                    // Writers killed before they could store their final count left it in their journals.
                    await PostgreSqlLedgerWriters.StoreDeadAsync(_dataSource, _schema, _journalDirectory, CancellationToken.None);
                }

                _migrated = true;
            }

            while (_pending.Count > 0)
            {
                await WriteBatchesAsync();
            }

            if (_failure is not null)
            {
                _failure = null;
                Log.Recovered(_logger, _schema);
                OnAvailabilityChanged();
            }

            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every failure is retried: the writer must outlive any error, or every later record would be lost unseen.
            bool first = _failure is null;
            _failure = e;
            CostLedgerTotals.AddWriteFailure();
            if (first)
            {
                Log.WriteFailed(_logger, e, _schema, _pending.Count, _failClosed ? "are refused" : "go on");
                OnAvailabilityChanged();
            }

            return false;
        }
    }

    /// <summary>
    /// Writes the oldest pending records: one batch, or — when more than a batch is waiting — up to one batch per
    /// connection at once, of equal sizes, each in its own transaction. The batches that were stored leave the pending
    /// list; those that failed stay, in order, for the retry, and the first failure is thrown.
    /// </summary>
    private async Task WriteBatchesAsync()
    {
        int count = Math.Min(_pending.Count, _batchSize * _batches.Length);
        int batches = Math.Min(_batches.Length, (count + _batchSize - 1) / _batchSize);
        PostgreSqlLedgerWriters.WriterRow writer = Writer();
        if (batches == 1)
        {
            await _batches[0].WriteAsync(_pending, 0, count, writer, CancellationToken.None);
            _pending.RemoveRange(0, count);
            return;
        }

        var writes = new Task[batches];
        for (int b = 0; b < batches; b++)
        {
            (int start, int length) = Slice(count, batches, b);
            writes[b] = _batches[b].WriteAsync(_pending, start, length, writer, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception) when (writes.Any(w => w.IsCompletedSuccessfully))
        {
            // Keep the rows of the failed batches only; from the last, so the earlier slices keep their places.
            for (int b = batches - 1; b >= 0; b--)
            {
                if (writes[b].IsCompletedSuccessfully)
                {
                    (int start, int length) = Slice(count, batches, b);
                    _pending.RemoveRange(start, length);
                }
            }

            throw;
        }

        _pending.RemoveRange(0, count);

        static (int Start, int Length) Slice(int count, int batches, int b)
        {
            int start = (int)((long)count * b / batches);
            return (start, (int)((long)count * (b + 1) / batches) - start);
        }
    }

    /// <summary>Waits out a retry delay, still taking records off the queue meanwhile so that callers are not held by an outage; a flush or disposal ends the wait early.</summary>
    private async Task BackOffAsync(TimeSpan delay)
    {
        using var stop = new CancellationTokenSource();
        Task timer = Task.Delay(delay, _time, stop.Token);
        Task wake = Volatile.Read(ref _wake).Task;
        while (true)
        {
            Task<bool> more = _queue.Reader.WaitToReadAsync(stop.Token).AsTask();
            Task done = await Task.WhenAny(timer, wake, more);
            if (done != more || !more.Result)
            {
                break;
            }

            Drain();
            if (_flushes.Count > 0)
            {
                break;
            }
        }

        await stop.CancelAsync();
    }

    private void OnAvailabilityChanged()
    {
        try
        {
            AvailabilityChanged?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A handler must not stop the writer.
            Log.HandlerFailed(_logger, e, _schema);
        }
    }

    private void CompleteFlushes()
    {
        foreach (TaskCompletionSource flushed in _flushes)
        {
            flushed.TrySetResult();
        }

        _flushes.Clear();
    }

    private readonly record struct Entry(CostRecord Call, OutcomeRecord Outcome, bool IsOutcome, TaskCompletionSource? Flushed, long Sequence, EnvelopeStep? Step = null);

    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Error, "The PostgreSQL cost ledger (schema '{Schema}') cannot write; {Pending} records are kept for a retry and calls {Policy}.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string schema, int pending, string policy);

        [LoggerMessage(302, LogLevel.Information, "The PostgreSQL cost ledger (schema '{Schema}') writes again.")]
        public static partial void Recovered(ILogger logger, string schema);

        [LoggerMessage(304, LogLevel.Error, "A handler of the PostgreSQL cost ledger's (schema '{Schema}') availability event threw.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string schema);

        [LoggerMessage(305, LogLevel.Warning, "The PostgreSQL cost ledger (schema '{Schema}') could not store its final count of {Count} records handed over; its hand-off journal ({Journal}) keeps it for the next ledger started on that directory.")]
        public static partial void EndNotStored(ILogger logger, Exception exception, string schema, long count, string journal);

        [LoggerMessage(303, LogLevel.Error, "The PostgreSQL cost ledger (schema '{Schema}') dropped {Count} records.")]
        public static partial void Dropped(ILogger logger, int count, string schema);
    }
}
