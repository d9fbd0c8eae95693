using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

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
    private const int MaximumBatch = 4096;

    private readonly Channel<Entry> _queue;
    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maximumFileBytes;
    private readonly int _retryCapacity;
    private readonly bool _waitWhenFull;
    private readonly bool _failClosed;
    private readonly TimeSpan _firstRetryDelay;
    private readonly TimeSpan _maximumRetryDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly List<Entry> _pending = [];
    private readonly List<int> _lineEnds = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly Lock _lossLock = new();
    private SafeFileHandle? _file;
    private long _fileLength;
    private DateOnly _fileDay;
    private int _fileSequence;
    private TimeSpan _retryDelay;
    private DateTimeOffset _nextRetry;
    private volatile Exception? _failure;
    private volatile bool _closed;
    private long _written;
    private long _dropped;
    private long _writeFailures;
    private int _pendingCount;
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
        _prefix = options.FilePrefix;
        _maximumFileBytes = options.MaximumFileBytes;
        _retryCapacity = options.QueueCapacity;
        _waitWhenFull = options.WaitWhenQueueFull;
        _failClosed = options.FailClosed;
        _firstRetryDelay = options.RetryDelay;
        _maximumRetryDelay = options.MaximumRetryDelay;
        _retryDelay = _firstRetryDelay;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>
    /// Occurs when records are dropped instead of written, with how many and why. Raised on the thread that dropped
    /// them (the caller's when the queue is full, the writer's otherwise); a handler must be quick and must not throw.
    /// </summary>
    public event EventHandler<CostLedgerDroppedEventArgs>? RecordsDropped;

    /// <summary>Gets the directory the files are written to.</summary>
    public string Directory => _directory;

    /// <summary>Gets whether the last write failed (and its records wait for a retry).</summary>
    public bool IsFailing => _failure is not null;

    /// <summary>Gets the path of the file being written, or <see langword="null"/> before the first write.</summary>
    public string? CurrentFile { get; private set; }

    /// <summary>Gets how many records this ledger has written to disk.</summary>
    public long WrittenRecords => Interlocked.Read(ref _written);

    /// <summary>Gets how many records this ledger dropped without writing them; each is also raised in <see cref="RecordsDropped"/>.</summary>
    public long DroppedRecords => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many writes failed (a full disk, a missing permission); the records of a failed write are kept for a retry.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Gets how many records wait for a retry after a failed write.</summary>
    public int PendingRecords => Volatile.Read(ref _pendingCount);

    /// <inheritdoc/>
    /// <remarks>Queues the record and returns; it waits only when the queue is full and <see cref="JsonLinesLedgerOptions.WaitWhenQueueFull"/> is set.</remarks>
    public void Record(in CostRecord record) => Enqueue(new Entry(record, default, IsOutcome: false, Flushed: null));

    /// <inheritdoc/>
    public void Record(in OutcomeRecord outcome) => Enqueue(new Entry(default, outcome, IsOutcome: true, Flushed: null));

    /// <inheritdoc/>
    public void Record(EnvelopeStep envelopeStep)
    {
        ArgumentNullException.ThrowIfNull(envelopeStep);
        Enqueue(new Entry(default, default, IsOutcome: false, Flushed: null, envelopeStep));
    }

    /// <inheritdoc/>
    public void ThrowIfUnavailable()
    {
        if (_failClosed && _failure is { } failure)
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
        await _queue.Writer.WriteAsync(new Entry(default, default, IsOutcome: false, flushed), cancellationToken);
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
            await _writer;
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static DateOnly DayOf(in Entry e) => DateOnly.FromDateTime((e.Step?.Time ?? (e.IsOutcome ? e.Outcome.Timestamp : e.Call.Timestamp)).UtcDateTime);

    private void Enqueue(in Entry entry)
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

    private async Task WriteAsync()
    {
        var flushes = new List<TaskCompletionSource>();
        Task<bool>? readable = null;
        while (true)
        {
            // Healthy, the writer waits for records; failing, for records or the retry time, whichever comes first.
            readable ??= _queue.Reader.WaitToReadAsync().AsTask();
            if (_failure is null)
            {
                await readable;
            }
            else if (_nextRetry - _time.GetUtcNow() is { } untilRetry && untilRetry > TimeSpan.Zero)
            {
                using var stop = new CancellationTokenSource();
                Task timer = Task.Delay(untilRetry, _time, stop.Token);
                await Task.WhenAny(readable, timer);
                await stop.CancelAsync();
            }

            if (readable.IsCompleted)
            {
                bool open = await readable;
                readable = null;
                if (!open)
                {
                    break;
                }
            }

            bool flushRequested = Drain(flushes);
            if (_failure is null || flushRequested || _time.GetUtcNow() >= _nextRetry)
            {
                WritePending();
            }

            foreach (TaskCompletionSource flushed in flushes)
            {
                flushed.TrySetResult();
            }

            flushes.Clear();
        }

        WritePending();
        if (_pending.Count > 0)
        {
            int left = _pending.Count;
            _pending.Clear();
            Volatile.Write(ref _pendingCount, 0);
            Log.DroppedAtShutdown(_logger, _failure, _directory, left);
            Dropped(left, CostLedgerDropReason.Shutdown, logged: true);
        }

        CloseFile();
        await _json.DisposeAsync();
    }

    /// <summary>Moves what is queued into the records to write, keeping at most the retry capacity while failing.</summary>
    /// <returns>Whether a flush asked for an attempt now.</returns>
    private bool Drain(List<TaskCompletionSource> flushes)
    {
        int taken = 0;
        while (taken < MaximumBatch && _queue.Reader.TryRead(out Entry entry))
        {
            if (entry.Flushed is { } flushed)
            {
                flushes.Add(flushed);
            }
            else
            {
                _pending.Add(entry);
                taken++;
            }
        }

        if (_failure is not null)
        {
            TrimToRetryCapacity();
        }

        Volatile.Write(ref _pendingCount, _pending.Count);
        return flushes.Count > 0;
    }

    private void TrimToRetryCapacity()
    {
        if (_pending.Count > _retryCapacity)
        {
            int excess = _pending.Count - _retryCapacity;
            _pending.RemoveRange(0, excess);
            Dropped(excess, CostLedgerDropReason.RetryBufferFull);
        }
    }

    /// <summary>Appends the pending records line by line; on a failure keeps those not on disk for a retry.</summary>
    private void WritePending()
    {
        if (_pending.Count == 0 && _failure is null)
        {
            return;
        }

        int done = 0;
        long offset = -1;
        try
        {
            if (_pending.Count == 0)
            {
                // Nothing to retry with: opening today's file tells whether the directory can be written again.
                _ = FileFor(DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime));
            }

            while (done < _pending.Count)
            {
                DateOnly day = DayOf(_pending[done]);
                SafeFileHandle file = FileFor(day);
                int end = Serialize(done, day, out bool full);
                if (end == done)
                {
                    // Not even one more line fits this file: begin the next.
                    NextFile();
                    continue;
                }

                offset = _fileLength;
                RandomAccess.Write(file, _buffer.WrittenSpan[.._lineEnds[^1]], offset);
                offset = -1;
                _fileLength += _lineEnds[^1];
                Interlocked.Add(ref _written, end - done);
                done = end;
                if (full)
                {
                    NextFile();
                }
            }

            _pending.Clear();
            Volatile.Write(ref _pendingCount, 0);
            Recovered();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            if (offset >= 0)
            {
                done += KeepWholeLines(offset);
            }

            _pending.RemoveRange(0, done);
            Failed(e);
            TrimToRetryCapacity();
            Volatile.Write(ref _pendingCount, _pending.Count);

            // Counted once the outcome of the attempt is in place, so an observer of the count sees all of it.
            Interlocked.Increment(ref _writeFailures);
            CostLedgerTotals.AddWriteFailure();
        }
    }

    /// <summary>Serializes the pending records from <paramref name="from"/> that belong to <paramref name="day"/> and fit the current file.</summary>
    /// <returns>The index after the last record serialized; its line ends are in <see cref="_lineEnds"/>.</returns>
    private int Serialize(int from, DateOnly day, out bool full)
    {
        _buffer.Clear();
        _lineEnds.Clear();
        full = false;
        int end = from;
        while (end < _pending.Count && _lineEnds.Count < MaximumBatch)
        {
            Entry e = _pending[end];
            if (DayOf(e) != day)
            {
                break;
            }

            int before = _buffer.WrittenCount;
            CostLedgerJson.WriteLine(_buffer, _json, e.Call, e.Outcome, e.IsOutcome, e.Step);
            if (_fileLength + _buffer.WrittenCount > _maximumFileBytes && (_fileLength > 0 || before > 0))
            {
                // The line does not fit: it is left out (its bytes stay unwritten in the buffer). A single line larger
                // than an empty file's limit still goes in, as a record is never split.
                full = true;
                break;
            }

            _lineEnds.Add(_buffer.WrittenCount);
            end++;
        }

        return end;
    }

    /// <summary>After a failed write at <paramref name="offset"/>, counts the lines that reached the disk whole and takes back a cut one.</summary>
    /// <returns>How many of the lines being written are on disk.</returns>
    private int KeepWholeLines(long offset)
    {
        long landed;
        try
        {
            landed = RandomAccess.GetLength(_file!) - offset;
        }
        catch (IOException)
        {
            // The length is unknown: count nothing as written, and let the next opening start a fresh line.
            CloseFile();
            return 0;
        }

        int whole = 0;
        while (whole < _lineEnds.Count && _lineEnds[whole] <= landed)
        {
            whole++;
        }

        long kept = whole == 0 ? 0 : _lineEnds[whole - 1];
        Interlocked.Add(ref _written, whole);
        _fileLength = offset + kept;
        if (landed > kept)
        {
            try
            {
                RandomAccess.SetLength(_file!, _fileLength);
            }
            catch (IOException)
            {
                // The cut line stays; the next opening of the file starts a new line after it, so no record merges with it.
                CloseFile();
            }
        }

        return whole;
    }

    private void Failed(Exception e)
    {
        bool first = _failure is null;
        DateTimeOffset now = _time.GetUtcNow();
        _nextRetry = now + _retryDelay;
        _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _maximumRetryDelay.Ticks));
        CloseFile();

        // Published last: whoever sees the ledger failing sees when it retries, so a clock moved from then on reaches the retry.
        _failure = e;
        if (first)
        {
            Log.WriteFailed(_logger, e, _directory, _pending.Count, _failClosed ? "are refused" : "go on", _nextRetry - now);
        }
    }

    private void Recovered()
    {
        _retryDelay = _firstRetryDelay;
        if (_failure is not null)
        {
            _failure = null;
            Log.Recovered(_logger, _directory);
        }

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

    private void Dropped(int count, CostLedgerDropReason reason, bool logged = false)
    {
        Exception? failure = _failure;
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

    private SafeFileHandle FileFor(DateOnly day)
    {
        if (_file is not null && day == _fileDay)
        {
            return _file;
        }

        CloseFile();
        if (day != _fileDay)
        {
            _fileDay = day;
            _fileSequence = NextSequence(day);
        }

        System.IO.Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{day:yyyyMMdd}-{_fileSequence:000}{CostLedgerSchema.FileExtension}"));
        SafeFileHandle file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            _fileLength = RandomAccess.GetLength(file);
            StartOnNewLine(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        _file = file;
        CurrentFile = path;
        return file;
    }

    /// <summary>Ends a line cut short (by a crash, or a write that failed) before appending, so the next record reads whole.</summary>
    private void StartOnNewLine(SafeFileHandle file)
    {
        if (_fileLength == 0)
        {
            return;
        }

        Span<byte> last = stackalloc byte[1];
        if (RandomAccess.Read(file, last, _fileLength - 1) == 1 && last[0] != (byte)'\n')
        {
            RandomAccess.Write(file, "\n"u8, _fileLength);
            _fileLength++;
        }
    }

    private void NextFile()
    {
        CloseFile();
        _fileSequence++;
    }

    /// <summary>Continues after the last file of the day already on disk, so a restart appends rather than overwrites.</summary>
    private int NextSequence(DateOnly day)
    {
        if (!System.IO.Directory.Exists(_directory))
        {
            return 0;
        }

        string stem = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{day:yyyyMMdd}-");
        int last = -1;
        foreach (string path in System.IO.Directory.EnumerateFiles(_directory, stem + "*" + CostLedgerSchema.FileExtension))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (int.TryParse(name.AsSpan(stem.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int sequence))
            {
                last = Math.Max(last, sequence);
            }
        }

        return Math.Max(last, 0);
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    private readonly record struct Entry(CostRecord Call, OutcomeRecord Outcome, bool IsOutcome, TaskCompletionSource? Flushed, EnvelopeStep? Step = null);

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Error, "The cost ledger cannot write to '{Directory}'; {Pending} records are kept for a retry in {RetryIn}, and calls {Policy} until it succeeds.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string directory, int pending, string policy, TimeSpan retryIn);

        [LoggerMessage(102, LogLevel.Information, "The cost ledger writes to '{Directory}' again.")]
        public static partial void Recovered(ILogger logger, string directory);

        [LoggerMessage(103, LogLevel.Error, "The cost ledger in '{Directory}' is dropping records ({Reason}); each is counted in aicostguard.ledger.dropped until it writes again.")]
        public static partial void LossBegan(ILogger logger, Exception? exception, string directory, CostLedgerDropReason reason);

        [LoggerMessage(104, LogLevel.Warning, "The cost ledger in '{Directory}' writes again after dropping {Count} records.")]
        public static partial void LossEnded(ILogger logger, string directory, long count);

        [LoggerMessage(105, LogLevel.Error, "The cost ledger in '{Directory}' closed with {Count} records it could not write; they are counted as dropped.")]
        public static partial void DroppedAtShutdown(ILogger logger, Exception? exception, string directory, int count);

        [LoggerMessage(106, LogLevel.Error, "A RecordsDropped handler of the cost ledger in '{Directory}' threw.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string directory);
    }
}
