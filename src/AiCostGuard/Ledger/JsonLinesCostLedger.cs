using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiCostGuard;

/// <summary>
/// An append-only JSON Lines ledger on disk (format: <see cref="CostLedgerSchema"/>): the embedded default for a
/// durable record of every call and outcome.
/// </summary>
/// <remarks>
/// <para>
/// Records leave the caller's path through a bounded queue (<see cref="JsonLinesLedgerOptions.QueueCapacity"/>); when
/// it is full the caller waits for room or the record is dropped and counted, as
/// <see cref="JsonLinesLedgerOptions.WaitWhenQueueFull"/> says. One background writer appends whole lines, so a crash
/// leaves at most one partial last line, which <see cref="CostLedgerReader"/> skips and reports; the next record
/// written to that file starts on a line of its own.
/// </para>
/// <para>
/// A file is closed and the next begun at <see cref="JsonLinesLedgerOptions.MaximumFileBytes"/> and at each new UTC
/// day. A write failure (a full disk, a read-only or missing directory) is logged once, counted in
/// <see cref="WriteFailures"/>, and the records not written are kept (up to <see cref="JsonLinesLedgerOptions.QueueCapacity"/>)
/// and retried on the clock of <see cref="JsonLinesLedgerOptions.TimeProvider"/>, after <see cref="JsonLinesLedgerOptions.RetryDelay"/>
/// doubling up to <see cref="JsonLinesLedgerOptions.MaximumRetryDelay"/>. The writer advances line by line: the lines a
/// failed write got onto the disk count as written and are never written again, and a cut line is taken back, so a
/// retry neither duplicates nor merges a record, and a backlog larger than the free space drains as space returns.
/// </para>
/// <para>
/// Every record that is not written — the queue full with dropping configured, the retry buffer full while failing,
/// or what is left when the ledger closes — is counted in <see cref="DroppedRecords"/> (and the
/// <c>aicostguard.ledger.dropped</c> metric), raised in <see cref="RecordsDropped"/>, and logged once per loss episode:
/// when losses begin and when the ledger writes again. Calls go on, unless <see cref="JsonLinesLedgerOptions.FailClosed"/>:
/// then <see cref="ThrowIfUnavailable"/> refuses them until a retry succeeds. Combine it with an
/// <see cref="InMemoryCostLedger"/> in a <see cref="CompositeCostLedger"/> to keep the records in memory whatever the disk does.
/// </para>
/// <para>This type is thread-safe. Dispose it to write what is queued and close the file.</para>
/// </remarks>
public sealed partial class JsonLinesCostLedger : ICostLedger, IAsyncDisposable, IDisposable
{
    private readonly Channel<JsonLinesLedgerWriter.Entry> _queue;
    private readonly JsonLinesLedgerWriter _writer;
    private readonly Task _writing;
    private readonly string _directory;
    private readonly bool _waitWhenFull;
    private readonly bool _failClosed;
    private readonly ILogger _logger;
    private readonly Lock _lossLock = new();
    private volatile bool _closed;
    private long _dropped;
    private long _episodeDropped;

    /// <summary>Initializes a new instance and starts its background writer.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger for write failures and losses; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    public JsonLinesCostLedger(JsonLinesLedgerOptions options, ILogger<JsonLinesCostLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(JsonLinesLedgerOptions), typeof(JsonLinesLedgerOptions), problems);
        }

        _directory = Path.GetFullPath(options.Directory!);
        _waitWhenFull = options.WaitWhenQueueFull;
        _failClosed = options.FailClosed;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<JsonLinesLedgerWriter.Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = new JsonLinesLedgerWriter(this, _queue.Reader, options, _directory, _logger);
        _writing = Task.Run(_writer.RunAsync);
    }

    /// <summary>
    /// Occurs when records are dropped instead of written, with how many and why. Raised on the thread that dropped
    /// them (the caller's when the queue is full, the writer's otherwise); a handler must be quick and must not throw.
    /// </summary>
    public event EventHandler<CostLedgerDroppedEventArgs>? RecordsDropped;

    /// <summary>Gets the directory the files are written to.</summary>
    public string Directory => _directory;

    /// <summary>Gets whether the last write failed (and its records wait for a retry).</summary>
    public bool IsFailing => _writer.Failure is not null;

    /// <summary>Gets the path of the file being written, or <see langword="null"/> before the first write.</summary>
    public string? CurrentFile => _writer.CurrentFile;

    /// <summary>Gets how many records this ledger has written to disk.</summary>
    public long WrittenRecords => _writer.Written;

    /// <summary>Gets how many records this ledger dropped without writing them; each is also raised in <see cref="RecordsDropped"/>.</summary>
    public long DroppedRecords => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many writes failed (a full disk, a missing permission); the records of a failed write are kept for a retry.</summary>
    public long WriteFailures => _writer.WriteFailures;

    /// <summary>Gets how many records wait for a retry after a failed write.</summary>
    public int PendingRecords => _writer.PendingCount;

    /// <inheritdoc/>
    /// <remarks>Queues the record and returns; it waits only when the queue is full and <see cref="JsonLinesLedgerOptions.WaitWhenQueueFull"/> is set.</remarks>
    public void Record(in CostRecord record) => Enqueue(new JsonLinesLedgerWriter.Entry(record, default, IsOutcome: false, Flushed: null));

    /// <inheritdoc/>
    public void Record(in OutcomeRecord outcome) => Enqueue(new JsonLinesLedgerWriter.Entry(default, outcome, IsOutcome: true, Flushed: null));

    /// <inheritdoc/>
    public void Record(EnvelopeStep envelopeStep)
    {
        ArgumentNullException.ThrowIfNull(envelopeStep);
        Enqueue(new JsonLinesLedgerWriter.Entry(default, default, IsOutcome: false, Flushed: null, envelopeStep));
    }

    /// <inheritdoc/>
    public void ThrowIfUnavailable()
    {
        if (_failClosed && _writer.Failure is { } failure)
        {
            throw new CostLedgerUnavailableException($"The JSON Lines ledger in '{_directory}' cannot write ({failure.Message}); it is configured fail-closed, so calls are refused until a retry succeeds.", failure);
        }
    }

    /// <summary>
    /// Waits until every record queued before this call is written, or has failed to be written and is kept for a
    /// retry. Records kept after a failure are tried once more at once, without waiting for the retry delay.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the records are on disk or kept for a retry.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new JsonLinesLedgerWriter.Entry(default, default, IsOutcome: false, flushed), cancellationToken);
        await flushed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes what is queued (one more attempt for records kept after a failure), counts what still cannot be written
    /// as dropped, and closes the file.
    /// </summary>
    /// <returns>A task that completes when the writer has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        if (_queue.Writer.TryComplete())
        {
            await _writing;
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Counts, raises and (once per loss episode) logs records that are not written.</summary>
    internal void Dropped(int count, CostLedgerDropReason reason, bool logged = false)
    {
        Exception? failure = _writer.Failure;
        Interlocked.Add(ref _dropped, count);
        CostLedgerTotals.AddDropped(count);
        bool begins;
        lock (_lossLock)
        {
            begins = _episodeDropped == 0;
            _episodeDropped += count;
        }

        if (begins && !logged)
        {
            Log.LossBegan(_logger, failure, _directory, reason);
        }

        try
        {
            RecordsDropped?.Invoke(this, new CostLedgerDroppedEventArgs(count, reason, failure));
        }
        catch (Exception e)
        {
            // A handler's fault must not take the record path down with it: recording never throws.
            Log.HandlerFailed(_logger, e, _directory);
        }
    }

    /// <summary>Called by the writer after a successful write: a loss episode, if one was under way, ends with a log line of its count.</summary>
    internal void EndLossEpisode()
    {
        long lost;
        lock (_lossLock)
        {
            lost = _episodeDropped;
            _episodeDropped = 0;
        }

        if (lost > 0)
        {
            Log.LossEnded(_logger, _directory, lost);
        }
    }

    private void Enqueue(in JsonLinesLedgerWriter.Entry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            return;
        }

        if (_waitWhenFull)
        {
            // Back-pressure: the caller waits for the writer, so the record is never dropped.
            ValueTask wait = _queue.Writer.WriteAsync(entry);
            try
            {
                wait.AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException)
            {
                Dropped(1, CostLedgerDropReason.Shutdown);
            }

            return;
        }

        Dropped(1, _closed ? CostLedgerDropReason.Shutdown : CostLedgerDropReason.QueueFull);
    }

    private static partial class Log
    {
        [LoggerMessage(103, LogLevel.Error, "The cost ledger in '{Directory}' is dropping records ({Reason}); each is counted in aicostguard.ledger.dropped until it writes again.")]
        public static partial void LossBegan(ILogger logger, Exception? exception, string directory, CostLedgerDropReason reason);

        [LoggerMessage(104, LogLevel.Warning, "The cost ledger in '{Directory}' writes again after dropping {Count} records.")]
        public static partial void LossEnded(ILogger logger, string directory, long count);

        [LoggerMessage(106, LogLevel.Error, "A RecordsDropped handler of the cost ledger in '{Directory}' threw.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string directory);
    }
}
