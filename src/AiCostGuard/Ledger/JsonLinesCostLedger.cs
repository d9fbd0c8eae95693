using System.Buffers;
using System.Globalization;
using System.Text.Json;
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
/// <see cref="JsonLinesLedgerOptions.WaitWhenQueueFull"/> says. One background writer appends whole lines and flushes
/// once per batch, so a crash leaves at most one partial last line, which <see cref="CostLedgerReader"/> skips and reports.
/// </para>
/// <para>
/// A file is closed and the next begun at <see cref="JsonLinesLedgerOptions.MaximumFileBytes"/> and at each new UTC
/// day. A write failure (a full disk, a missing permission) is logged, counted in
/// <see cref="CostGovernanceTelemetry.LedgerWriteFailuresMetric"/> and retried with the next record, in a new file so
/// that a partly written line never merges with a good one; calls go on, unless <see cref="JsonLinesLedgerOptions.FailClosed"/>.
/// Combine it with an <see cref="InMemoryCostLedger"/> in a <see cref="CompositeCostLedger"/> to keep the records in
/// memory whatever the disk does.
/// </para>
/// <para>This type is thread-safe. Dispose it to write what is queued and close the file.</para>
/// </remarks>
public sealed partial class JsonLinesCostLedger : ICostLedger, IAsyncDisposable, IDisposable
{
    private readonly Channel<Entry> _queue;
    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maximumFileBytes;
    private readonly int _retryCapacity;
    private readonly bool _waitWhenFull;
    private readonly bool _failClosed;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly List<Entry> _pending = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private FileStream? _file;
    private DateOnly _fileDay;
    private int _fileSequence;
    private volatile Exception? _failure;

    /// <summary>Initializes a new instance and starts its background writer.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger for write failures; <see langword="null"/> logs nothing.</param>
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
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Gets the directory the files are written to.</summary>
    public string Directory => _directory;

    /// <summary>Gets whether the last write failed (and its records wait for a retry).</summary>
    public bool IsFailing => _failure is not null;

    /// <summary>Gets the path of the file being written, or <see langword="null"/> before the first write.</summary>
    public string? CurrentFile { get; private set; }

    /// <inheritdoc/>
    /// <remarks>Queues the record and returns; it waits only when the queue is full and <see cref="JsonLinesLedgerOptions.WaitWhenQueueFull"/> is set.</remarks>
    public void Record(in CostRecord record) => Enqueue(new Entry(record, default, IsOutcome: false, Flushed: null));

    /// <inheritdoc/>
    public void Record(in OutcomeRecord outcome) => Enqueue(new Entry(default, outcome, IsOutcome: true, Flushed: null));

    /// <inheritdoc/>
    public void ThrowIfUnavailable()
    {
        if (_failClosed && _failure is { } failure)
        {
            throw new CostLedgerUnavailableException($"The JSON Lines ledger in '{_directory}' cannot write ({failure.Message}); it is configured fail-closed, so calls are refused until it can.", failure);
        }
    }

    /// <summary>Waits until every record queued before this call is written, or has failed to be written.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the records are on disk or kept for a retry.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Entry(default, default, IsOutcome: false, flushed), cancellationToken);
        await flushed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued (one more attempt for records kept after a failure) and closes the file.</summary>
    /// <returns>A task that completes when the writer has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_queue.Writer.TryComplete())
        {
            await _writer;
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

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
                Dropped(1);
            }

            return;
        }

        Dropped(1);
    }

    private void Dropped(int count)
    {
        CostGovernanceTelemetry.LedgerDropped.Add(count);
        Log.Dropped(_logger, count, _directory);
    }

    private async Task WriteAsync()
    {
        var batch = new List<Entry>(256);
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < 4096 && _queue.Reader.TryRead(out Entry entry))
            {
                if (entry.Flushed is { } flushed)
                {
                    flushes.Add(flushed);
                }
                else
                {
                    batch.Add(entry);
                }
            }

            WriteBatch(batch);
            batch.Clear();
            foreach (TaskCompletionSource flushed in flushes)
            {
                flushed.TrySetResult();
            }

            flushes.Clear();
        }

        WriteBatch(batch);
        _file?.Dispose();
        _file = null;
        await _json.DisposeAsync();
    }

    private void WriteBatch(List<Entry> batch)
    {
        if (batch.Count == 0 && _pending.Count == 0)
        {
            return;
        }

        _pending.AddRange(batch);
        try
        {
            int written = 0;
            while (written < _pending.Count)
            {
                Entry first = _pending[written];
                DateOnly day = DateOnly.FromDateTime((first.IsOutcome ? first.Outcome.Timestamp : first.Call.Timestamp).UtcDateTime);
                FileStream file = FileFor(day);

                // Read once per file and batch: the length of an unbuffered file is a system call.
                long length = file.Length;
                _buffer.Clear();
                int end = written;
                while (end < _pending.Count)
                {
                    Entry e = _pending[end];
                    DateOnly d = DateOnly.FromDateTime((e.IsOutcome ? e.Outcome.Timestamp : e.Call.Timestamp).UtcDateTime);
                    int before = _buffer.WrittenCount;
                    CostLedgerJson.WriteLine(_buffer, _json, e.Call, e.Outcome, e.IsOutcome);
                    bool full = length + _buffer.WrittenCount > _maximumFileBytes && (length > 0 || before > 0);
                    if (d != day || full)
                    {
                        if (before == 0)
                        {
                            // A single line larger than an empty file's limit still goes in: a record is never split.
                            end++;
                        }
                        else
                        {
                            _buffer.Clear();
                            RewriteUpTo(written, end);
                        }

                        break;
                    }

                    end++;
                }

                file.Write(_buffer.WrittenSpan);
                file.Flush();
                written = end;
                if (written < _pending.Count)
                {
                    // The next line belongs to a new day or does not fit: begin the next file.
                    CloseFile();
                    _fileSequence++;
                }
            }

            _pending.Clear();
            if (_failure is not null)
            {
                Log.Recovered(_logger, _directory);
                _failure = null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            bool first = _failure is null;
            _failure = e;
            CloseFile();
            _fileSequence++;
            CostGovernanceTelemetry.LedgerWriteFailures.Add(1);
            if (first)
            {
                Log.WriteFailed(_logger, e, _directory, _pending.Count, _failClosed ? "refused" : "go on");
            }

            if (_pending.Count > _retryCapacity)
            {
                int excess = _pending.Count - _retryCapacity;
                _pending.RemoveRange(0, excess);
                Dropped(excess);
            }
        }
    }

    /// <summary>Serializes the entries from <paramref name="from"/> to <paramref name="to"/> (exclusive) again, after a line was taken back.</summary>
    private void RewriteUpTo(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            Entry e = _pending[i];
            CostLedgerJson.WriteLine(_buffer, _json, e.Call, e.Outcome, e.IsOutcome);
        }
    }

    private FileStream FileFor(DateOnly day)
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
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        CurrentFile = path;
        return _file;
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

        // Append to the last file: whole lines were written to it, and a partial last line is skipped by readers.
        return Math.Max(last, 0);
    }

    private void CloseFile()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // The failure that matters was already reported by the write that hit it.
        }

        _file = null;
    }

    private readonly record struct Entry(CostRecord Call, OutcomeRecord Outcome, bool IsOutcome, TaskCompletionSource? Flushed);

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Error, "The cost ledger cannot write to '{Directory}'; {Pending} records are kept for a retry and calls {Policy}.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string directory, int pending, string policy);

        [LoggerMessage(102, LogLevel.Information, "The cost ledger writes to '{Directory}' again.")]
        public static partial void Recovered(ILogger logger, string directory);

        [LoggerMessage(103, LogLevel.Error, "The cost ledger in '{Directory}' dropped {Count} records.")]
        public static partial void Dropped(ILogger logger, int count, string directory);
    }
}
