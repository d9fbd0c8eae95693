using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// The background writer of a <see cref="JsonLinesCostLedger"/>: takes records off its queue, appends them line by line
/// to the <see cref="JsonLinesLedgerFile"/>, and after a failure keeps the records not on disk (up to the retry capacity)
/// and retries them on the ledger's clock, the delay doubling up to its maximum.
/// </summary>
/// <remarks>Runs on one task; <see cref="Failure"/> and the counters are read from any thread.</remarks>
internal sealed partial class JsonLinesLedgerWriter
{
    private const int MaximumBatch = 4096;

    private readonly JsonLinesCostLedger _owner;
    private readonly ChannelReader<Entry> _queue;
    private readonly JsonLinesLedgerFile _file;
    private readonly string _directory;
    private readonly int _retryCapacity;
    private readonly bool _failClosed;
    private readonly TimeSpan _firstRetryDelay;
    private readonly TimeSpan _maximumRetryDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Entry> _pending = [];
    private readonly List<int> _lineEnds = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private TimeSpan _retryDelay;
    private DateTimeOffset _nextRetry;
    private volatile Exception? _failure;
    private long _written;
    private long _writeFailures;
    private int _pendingCount;

    public JsonLinesLedgerWriter(JsonLinesCostLedger owner, ChannelReader<Entry> queue, JsonLinesLedgerOptions options, string directory, ILogger logger)
    {
        _owner = owner;
        _queue = queue;
        _directory = directory;
        _file = new JsonLinesLedgerFile(directory, options.FilePrefix, options.MaximumFileBytes);
        _retryCapacity = options.QueueCapacity;
        _failClosed = options.FailClosed;
        _firstRetryDelay = options.RetryDelay;
        _maximumRetryDelay = options.MaximumRetryDelay;
        _retryDelay = _firstRetryDelay;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>Gets the failure of the last write, or <see langword="null"/> when it succeeded.</summary>
    public Exception? Failure => _failure;

    public string? CurrentFile => _file.CurrentPath;

    public long Written => Interlocked.Read(ref _written);

    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    public int PendingCount => Volatile.Read(ref _pendingCount);

    /// <summary>Writes until the queue is completed, then writes what is left once more and drops what still fails.</summary>
    public async Task RunAsync()
    {
        await using var json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        var flushes = new List<TaskCompletionSource>();
        Task<bool>? readable = null;
        while (true)
        {
            // Healthy, the writer waits for records; failing, for records or the retry time, whichever comes first.
            readable ??= _queue.WaitToReadAsync().AsTask();
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
                WritePending(json);
            }

            foreach (TaskCompletionSource flushed in flushes)
            {
                flushed.TrySetResult();
            }

            flushes.Clear();
        }

        WritePending(json);
        if (_pending.Count > 0)
        {
            int left = _pending.Count;
            _pending.Clear();
            Volatile.Write(ref _pendingCount, 0);
            Log.DroppedAtShutdown(_logger, _failure, _directory, left);
            _owner.Dropped(left, CostLedgerDropReason.Shutdown, logged: true);
        }

        _file.Close();
    }

    private static DateOnly DayOf(in Entry e) => DateOnly.FromDateTime((e.Step?.Time ?? (e.IsOutcome ? e.Outcome.Timestamp : e.Call.Timestamp)).UtcDateTime);

    /// <summary>Moves what is queued into the records to write, keeping at most the retry capacity while failing.</summary>
    /// <returns>Whether a flush asked for an attempt now.</returns>
    private bool Drain(List<TaskCompletionSource> flushes)
    {
        int taken = 0;
        while (taken < MaximumBatch && _queue.TryRead(out Entry entry))
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
            _owner.Dropped(excess, CostLedgerDropReason.RetryBufferFull);
        }
    }

    /// <summary>Appends the pending records line by line; on a failure keeps those not on disk for a retry.</summary>
    private void WritePending(Utf8JsonWriter json)
    {
        if (_pending.Count == 0 && _failure is null)
        {
            return;
        }

        int done = 0;
        try
        {
            if (_pending.Count == 0)
            {
                // Nothing to retry with: opening today's file tells whether the directory can be written again.
                _file.Open(DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime));
            }

            while (done < _pending.Count)
            {
                DateOnly day = DayOf(_pending[done]);
                _file.Open(day);
                int end = Serialize(json, done, day, out bool full);
                if (end == done)
                {
                    // Not even one more line fits this file: begin the next.
                    _file.Next();
                    continue;
                }

                _file.Append(_buffer.WrittenSpan[.._lineEnds[^1]]);
                Interlocked.Add(ref _written, end - done);
                done = end;
                if (full)
                {
                    _file.Next();
                }
            }

            _pending.Clear();
            Volatile.Write(ref _pendingCount, 0);
            Recovered();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            int whole = _file.KeepWholeLines(_lineEnds);
            Interlocked.Add(ref _written, whole);
            done += whole;
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
    private int Serialize(Utf8JsonWriter json, int from, DateOnly day, out bool full)
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
            CostLedgerJson.WriteLine(_buffer, json, e.Call, e.Outcome, e.IsOutcome, e.Step);
            if (!_file.Fits(_buffer.WrittenCount, isFirstLine: before == 0))
            {
                // The line does not fit: it is left out (its bytes stay unwritten in the buffer).
                full = true;
                break;
            }

            _lineEnds.Add(_buffer.WrittenCount);
            end++;
        }

        return end;
    }

    private void Failed(Exception e)
    {
        bool first = _failure is null;
        DateTimeOffset now = _time.GetUtcNow();
        _nextRetry = now + _retryDelay;
        _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _maximumRetryDelay.Ticks));
        _file.Close();

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

        _owner.EndLossEpisode();
    }

    /// <summary>A record queued for the writer, or (with <see cref="Flushed"/>) a flush waiting for what was queued before it.</summary>
    internal readonly record struct Entry(CostRecord Call, OutcomeRecord Outcome, bool IsOutcome, TaskCompletionSource? Flushed, EnvelopeStep? Step = null);

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Error, "The cost ledger cannot write to '{Directory}'; {Pending} records are kept for a retry in {RetryIn}, and calls {Policy} until it succeeds.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string directory, int pending, string policy, TimeSpan retryIn);

        [LoggerMessage(102, LogLevel.Information, "The cost ledger writes to '{Directory}' again.")]
        public static partial void Recovered(ILogger logger, string directory);

        [LoggerMessage(105, LogLevel.Error, "The cost ledger in '{Directory}' closed with {Count} records it could not write; they are counted as dropped.")]
        public static partial void DroppedAtShutdown(ILogger logger, Exception? exception, string directory, int count);
    }
}
