using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace AiCostGuard.Redis;

/// <summary>
/// An <see cref="IBudgetStore"/> on Redis, so one period budget holds across every process that shares it: reserve,
/// commit and refund are atomic Lua scripts; leases let a process admit most calls without a round trip; commits are
/// idempotent by call id; the reservations and leases of a crashed process are reclaimed after a timeout; and when
/// Redis cannot be reached, a timeout and a circuit breaker (Polly) hand the call to the configured
/// <see cref="RedisFailurePolicy"/>.
/// </summary>
/// <remarks>
/// <para>See <see cref="RedisBudgetStoreOptions"/> for the overshoot bound that leases allow and how it is configured.</para>
/// <para>
/// With leases, <see cref="GetUsageAsync"/> reports as reserved what processes hold in leases, spend not yet flushed
/// included; <see cref="FlushAsync"/> writes this process's spend and returns its unused allowance. A background
/// flush does so every third of <see cref="RedisBudgetStoreOptions.LeaseDuration"/>, and replays commits made while
/// Redis was unreachable (they are idempotent, so a replay after a commit that did land counts once).
/// </para>
/// <para>This type is thread-safe. Dispose it to return its leases.</para>
/// </remarks>
public sealed partial class RedisBudgetStore : IBudgetStore, IAsyncDisposable
{
    private readonly RedisBudgetStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private readonly bool _ownsConnection;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrentDictionary<string, RedisLease> _leases = new(StringComparer.Ordinal);
    private readonly InMemoryBudgetStore _fallback = new();
    private readonly ConcurrentDictionary<string, byte> _fallbackCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(BudgetWindow Window, string Id, BudgetUsage Actual)> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly ITimer _flushTimer;
    private readonly long _doneRetentionMs;
    private readonly TimeSpan _keyRetention;
    private readonly string _processId = Guid.NewGuid().ToString("N");
    private string? _generation;
    private volatile bool _lost;
    private int _disposed;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; validated here and copied by reference (do not change them afterwards).</param>
    /// <param name="timeProvider">The clock for expiry and the circuit breaker; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    public RedisBudgetStore(RedisBudgetStoreOptions options, TimeProvider? timeProvider = null, ILogger<RedisBudgetStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(RedisBudgetStoreOptions), typeof(RedisBudgetStoreOptions), problems);
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ownsConnection = options.ConnectionMultiplexerFactory is null;
        _connection = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        _doneRetentionMs = (long)(2 * Max(options.ReservationTimeout, options.LeaseDuration)).TotalMilliseconds;
        _keyRetention = RedisBudgetKeys.Retention(options);

        var unavailable = new PredicateBuilder().Handle<Exception>(IsUnavailable);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = unavailable,
            })
            .AddTimeout(options.OperationTimeout)
            .Build();

        TimeSpan period = options.LeaseDuration / 3;
        _flushTimer = _time.CreateTimer(static state => ((RedisBudgetStore)state!).FlushInBackground(), this, period, period);
    }

    /// <summary>Gets how many commits made while Redis was unreachable are waiting to be written to it.</summary>
    public int PendingCommitCount => _pending.Count;

    /// <summary>
    /// Gets whether Redis lost the counters this store was using: the generation key it adopted is gone or was replaced
    /// by one no reconciler seeded, as after a restart without persistence. Reservations then take the failure policy
    /// (refused when fail-closed; the local allowance when fail-open) until <see cref="RedisBudgetReconciler.RepairAsync"/>
    /// re-seeds the counters from the ledger and the next check (a flush, or a reconnection) sees it.
    /// </summary>
    public bool IsGenerationLost => _lost;

    /// <inheritdoc/>
    /// <exception cref="BudgetStoreUnavailableException">Redis cannot be reached and the policy is <see cref="RedisFailurePolicy.FailClosed"/>.</exception>
    public ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(window.Key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(limits);
        RedisAmount need = RedisAmount.From(amount);
        if (_lost)
        {
            // Leases included: what they hold was granted against counters Redis no longer has.
            return FallBackAsync(window, reservationId, amount, new RedisException($"Redis lost its budget counters (the generation key '{RedisGeneration.Key(_options.KeyPrefix)}' was reset: a restart without persistence?); re-seed them from the ledger with RedisBudgetReconciler.RepairAsync."), cancellationToken);
        }

        if (!_options.UseLeases)
        {
            return ReserveDirectAsync(window, reservationId, amount, need, limits, cancellationToken);
        }

        RedisLease lease = _leases.GetOrAdd(ScopeKey(window), static (_, s) => new RedisLease($"lease:{s.Process}:{Guid.NewGuid():N}", s.Window), (Process: _processId, Window: window));
        lock (lease.Sync)
        {
            if (TryTake(lease, reservationId, need, limits, _time.GetUtcNow()))
            {
                return new(BudgetReservation.Reserved);
            }
        }

        return RenewAndReserveAsync(lease, window, reservationId, amount, need, limits, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Never throws for an unreachable Redis: the commit is kept and written when Redis returns.</remarks>
    public async ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(window.Key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        if (_fallbackCalls.TryRemove(reservationId, out _))
        {
            await _fallback.CommitAsync(window, reservationId, actual, cancellationToken);
            _pending.Enqueue((window, reservationId, actual));
            return;
        }

        if (_options.UseLeases && _leases.TryGetValue(ScopeKey(window), out RedisLease? lease))
        {
            lock (lease.Sync)
            {
                if (lease.Calls.Remove(reservationId, out RedisAmount held))
                {
                    lease.Reserved -= held;
                    lease.Unflushed += RedisAmount.From(actual);
                    lease.Committed.Add(reservationId);
                    return;
                }

                if (lease.Committed.Contains(reservationId))
                {
                    return;
                }
            }
        }

        try
        {
            await CommitDirectAsync(window, reservationId, actual, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Log.CommitQueued(_logger, window.Key, e);
            _pending.Enqueue((window, reservationId, actual));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="BudgetStoreUnavailableException">Redis cannot be reached.</exception>
    public async ValueTask<BudgetWindowUsage> GetUsageAsync(BudgetWindow window, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(window.Key);
        try
        {
            var r = (RedisResult[])(await EvaluateAsync(RedisScripts.Usage, Keys(window, allBuckets: true), [string.Empty, Now()], cancellationToken))!;
            return new BudgetWindowUsage(
                new BudgetUsage((long)r[0], (long)r[1], RedisAmount.Dollars((long)r[2])),
                new BudgetUsage((long)r[3], (long)r[4], RedisAmount.Dollars((long)r[5])));
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw new BudgetStoreUnavailableException($"Redis is unreachable; the usage of '{window.Key}' cannot be read.", e);
        }
    }

    /// <summary>
    /// Checks that Redis still holds the counters this store has been using (see <see cref="IsGenerationLost"/>), writes
    /// the spend of this process's leases to Redis, returns the allowance they do not need for calls in flight, and
    /// replays commits made while Redis was unreachable.
    /// </summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when every lease has been flushed or found unreachable.</returns>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await CheckGenerationAsync(cancellationToken);
            foreach (KeyValuePair<string, RedisLease> entry in _leases)
            {
                await ReturnLeaseAsync(entry.Value, cancellationToken);
            }

            while (_pending.TryPeek(out (BudgetWindow Window, string Id, BudgetUsage Actual) commit))
            {
                await CommitDirectAsync(commit.Window, commit.Id, commit.Actual, cancellationToken);
                _pending.TryDequeue(out _);
            }
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Log.FlushFailed(_logger, e);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Stops the background flush, returns this process's leases and closes the connection it opened.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _flushTimer.DisposeAsync();
        await FlushAsync();
        if (_ownsConnection && _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await (await _connection.Value).DisposeAsync();
        }

        _flushing.Dispose();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static bool IsUnavailable(Exception e) =>
        e is RedisException or TimeoutException or TimeoutRejectedException or BrokenCircuitException or System.Net.Sockets.SocketException;

    private static bool TryTake(RedisLease lease, string id, RedisAmount need, BudgetLimits limits, DateTimeOffset now)
    {
        if (lease.Calls.ContainsKey(id))
        {
            return true;
        }

        if (lease.Renewing || now >= lease.RenewAfter || !RedisCeilings.Covers(lease.Remaining, need, limits))
        {
            return false;
        }

        lease.Reserved += need;
        lease.Calls[id] = need;
        return true;
    }

    private async ValueTask<BudgetReservation> ReserveDirectAsync(BudgetWindow window, string id, BudgetUsage amount, RedisAmount need, BudgetLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            DateTimeOffset now = _time.GetUtcNow();
            RedisResult[] r = await ReserveAsync(window, id, now + _options.ReservationTimeout, (string.Empty, default), default, need, need, limits, cancellationToken);
            return Answer(r);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return await FallBackAsync(window, id, amount, e, cancellationToken);
        }
    }

    private async ValueTask<BudgetReservation> RenewAndReserveAsync(RedisLease lease, BudgetWindow window, string id, BudgetUsage amount, RedisAmount need, BudgetLimits limits, CancellationToken cancellationToken)
    {
        await lease.Renewal.WaitAsync(cancellationToken);
        try
        {
            DateTimeOffset now = _time.GetUtcNow();
            RedisAmount carried;
            (string Id, RedisAmount Amount) flush;
            lock (lease.Sync)
            {
                if (TryTake(lease, id, need, limits, now))
                {
                    return BudgetReservation.Reserved;
                }

                lease.Renewing = true;
                carried = lease.Reserved;
                flush = lease.BeginFlush();
            }

            RedisAmount wanted = RedisAmount.Max(Chunk(limits), need);
            RedisResult[] r;
            try
            {
                r = await ReserveAsync(window, lease.Id, now + _options.LeaseDuration, flush, carried, wanted, need, limits, cancellationToken);
            }
            catch
            {
                lock (lease.Sync)
                {
                    lease.Renewing = false;
                }

                throw;
            }

            lock (lease.Sync)
            {
                lease.EndFlush();
                lease.Renewing = false;
                lease.Window = window;
                lease.RenewAfter = now + (_options.LeaseDuration / 2);
                lease.Committed.Clear();
                int granted = (int)r[0];
                lease.Granted = granted switch
                {
                    2 => carried + wanted,
                    1 => carried + need,
                    _ => carried,
                };
                if (granted > 0)
                {
                    lease.Reserved += need;
                    lease.Calls[id] = need;
                }
            }

            return Answer(r);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return await FallBackAsync(window, id, amount, e, cancellationToken);
        }
        finally
        {
            lease.Renewal.Release();
        }
    }

    private async ValueTask ReturnLeaseAsync(RedisLease lease, CancellationToken cancellationToken)
    {
        await lease.Renewal.WaitAsync(cancellationToken);
        try
        {
            RedisAmount carried;
            (string Id, RedisAmount Amount) flush;
            DateTimeOffset now = _time.GetUtcNow();
            lock (lease.Sync)
            {
                if (lease.Granted.IsZero && lease.Unflushed.IsZero && lease.PendingFlushId is null)
                {
                    return;
                }

                lease.Renewing = true;
                carried = lease.Reserved;
                flush = lease.BeginFlush();
            }

            try
            {
                // Keep only what the calls in flight hold; the rest of the chunk goes back to every process.
                await ReserveAsync(lease.Window, lease.Id, now + _options.LeaseDuration, flush, carried, default, default, Unlimited, cancellationToken);
            }
            finally
            {
                lock (lease.Sync)
                {
                    lease.Renewing = false;
                }
            }

            lock (lease.Sync)
            {
                lease.EndFlush();
                lease.Granted = carried;
                lease.RenewAfter = now + (_options.LeaseDuration / 2);
                lease.Committed.Clear();
            }
        }
        finally
        {
            lease.Renewal.Release();
        }
    }

    private static readonly BudgetLimits Unlimited = new();

    /// <summary>Adopts Redis's generation the first time, then compares: gone or replaced without a re-seed means the counters were lost.</summary>
    private async Task CheckGenerationAsync(CancellationToken cancellationToken)
    {
        IDatabase database = (await _connection.Value.WaitAsync(cancellationToken)).GetDatabase();
        if (_generation is null)
        {
            _generation = await _pipeline.ExecuteAsync(static async (s, token) => await RedisGeneration.EnsureAsync(s.Database, s.Prefix).WaitAsync(token), (Database: database, Prefix: _options.KeyPrefix), cancellationToken);
            return;
        }

        (string? id, bool seeded) = await _pipeline.ExecuteAsync(static async (s, token) => await RedisGeneration.ReadAsync(s.Database, s.Prefix).WaitAsync(token), (Database: database, Prefix: _options.KeyPrefix), cancellationToken);
        if (id == _generation)
        {
            return;
        }

        if (id is not null && seeded)
        {
            // A reconciler re-seeded the counters from the ledger: they can be trusted again.
            _generation = id;
            if (_lost)
            {
                _lost = false;
                Log.GenerationReseeded(_logger, _options.KeyPrefix);
            }

            return;
        }

        if (!_lost)
        {
            _lost = true;
            Log.GenerationLost(_logger, _options.KeyPrefix, _options.FailurePolicy);
        }
    }

    private async ValueTask<BudgetReservation> FallBackAsync(BudgetWindow window, string id, BudgetUsage amount, Exception e, CancellationToken cancellationToken)
    {
        Log.Unavailable(_logger, window.Key, _options.FailurePolicy, e);
        if (_options.FailurePolicy == RedisFailurePolicy.FailClosed)
        {
            ReleaseIfTimedOut(window, id, e);
            throw new BudgetStoreUnavailableException($"Redis is unreachable, so the budget '{window.Key}' cannot be checked; the store fails closed and the call is not sent.", e);
        }

        BudgetReservation local = await _fallback.TryReserveAsync(window, id, amount, _options.FailOpenLimits, cancellationToken);
        if (local.IsReserved)
        {
            // Its commit is replayed to Redis, which releases a reservation the server made after the client gave up.
            _fallbackCalls[id] = 0;
        }
        else
        {
            ReleaseIfTimedOut(window, id, e);
        }

        return local;
    }

    /// <summary>
    /// A reservation that timed out may still have run on the server, after the client stopped waiting: a zero commit
    /// under its id is kept with the commits to replay, so the flush that reaches Redis releases it rather than leaving it
    /// held until <see cref="RedisBudgetStoreOptions.ReservationTimeout"/>.
    /// </summary>
    private void ReleaseIfTimedOut(BudgetWindow window, string id, Exception e)
    {
        if (e is TimeoutRejectedException or TimeoutException && !_options.UseLeases)
        {
            _pending.Enqueue((window, id, default));
        }
    }

    private async ValueTask<RedisResult[]> ReserveAsync(BudgetWindow window, string id, DateTimeOffset expires, (string Id, RedisAmount Amount) flush, RedisAmount carried, RedisAmount wanted, RedisAmount minimum, BudgetLimits limits, CancellationToken cancellationToken)
    {
        RedisValue[] args =
        [
            id, Now(), expires.ToUnixTimeMilliseconds(), TimeToLiveSeconds(window),
            flush.Amount.Input, flush.Amount.Output, flush.Amount.Nanos, flush.Id,
            carried.Input, carried.Output, carried.Nanos,
            wanted.Input, wanted.Output, wanted.Nanos,
            minimum.Input, minimum.Output, minimum.Nanos,
            _doneRetentionMs,
            .. RedisCeilings.Arguments(limits),
        ];
        return (RedisResult[])(await EvaluateAsync(RedisScripts.Reserve, Keys(window, allBuckets: true), args, cancellationToken))!;
    }

    private async ValueTask CommitDirectAsync(BudgetWindow window, string id, BudgetUsage actual, CancellationToken cancellationToken)
    {
        RedisAmount amount = RedisAmount.From(actual);
        await EvaluateAsync(RedisScripts.Commit, Keys(window, allBuckets: false), [id, Now(), amount.Input, amount.Output, amount.Nanos, TimeToLiveSeconds(window), _doneRetentionMs], cancellationToken);
    }

    private async ValueTask<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        // Connecting happens once and is bounded by the connection's own timeout; the operation timeout is for round trips.
        IDatabase database = (await _connection.Value.WaitAsync(cancellationToken)).GetDatabase();
        return await _pipeline.ExecuteAsync(
            static async (state, token) => await state.Database.ScriptEvaluateAsync(state.Script, state.Keys, state.Args).WaitAsync(token),
            (Database: database, Script: script, Keys: keys, Args: args),
            cancellationToken);
    }

    private static BudgetReservation Answer(RedisResult[] r) =>
        (int)r[0] > 0 ? BudgetReservation.Reserved : RedisCeilings.Refusal((int)r[1], (long)r[2], (long)r[3]);

    private RedisAmount Chunk(BudgetLimits limits) => RedisCeilings.Chunk(limits, _options.LeaseFraction);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private long TimeToLiveSeconds(BudgetWindow window) => RedisBudgetKeys.TimeToLiveSeconds(window, _time.GetUtcNow(), _keyRetention);

    private string ScopeKey(BudgetWindow window) => RedisBudgetKeys.Scope(_options.KeyPrefix, window);

    private RedisKey[] Keys(BudgetWindow window, bool allBuckets)
    {
        string scope = ScopeKey(window);
        int buckets = allBuckets && window.IsRolling ? window.BucketCount : 1;
        var keys = new RedisKey[3 + buckets];
        keys[0] = scope + ":r";
        keys[1] = scope + ":x";
        keys[2] = scope + ":d";
        for (int i = 0; i < buckets; i++)
        {
            keys[3 + i] = window.IsRolling ? $"{scope}:c:{BudgetWindow.BucketId(window.Start - (window.BucketLength * i))}" : scope + ":c";
        }

        return keys;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        IConnectionMultiplexer connection = await OpenAsync();
        try
        {
            // Adopted as early as possible, so that a restart before the first flush is seen too.
            _generation ??= await RedisGeneration.EnsureAsync(connection.GetDatabase(), _options.KeyPrefix).WaitAsync(_options.OperationTimeout);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // Unreachable now: the first flush that reaches Redis adopts it.
        }

        // A reconnection is when a restart shows: check the generation then, not only at the next timed flush.
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive && Volatile.Read(ref _disposed) == 0)
            {
                FlushInBackground();
            }
        };
        return connection;
    }

    private async Task<IConnectionMultiplexer> OpenAsync()
    {
        if (_options.ConnectionMultiplexerFactory is { } factory)
        {
            return await factory();
        }

        var configuration = ConfigurationOptions.Parse(_options.Configuration!);

        // Never queue commands while disconnected: the circuit breaker and the failure policy decide, at once.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    private void FlushInBackground()
    {
        _ = Run(this);

        static async Task Run(RedisBudgetStore store)
        {
            try
            {
                await store.FlushAsync();
            }
            catch (ObjectDisposedException)
            {
                // The store was disposed while the timer fired; its own flush already ran.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Warning, "Redis is unreachable for budget '{Key}'; the store's policy is {Policy}.")]
        public static partial void Unavailable(ILogger logger, string key, RedisFailurePolicy policy, Exception exception);

        [LoggerMessage(202, LogLevel.Warning, "Redis is unreachable; the commit for budget '{Key}' is kept and will be written when it returns.")]
        public static partial void CommitQueued(ILogger logger, string key, Exception exception);

        [LoggerMessage(203, LogLevel.Warning, "Redis is unreachable; leases and kept commits will be flushed on the next attempt.")]
        public static partial void FlushFailed(ILogger logger, Exception exception);

        [LoggerMessage(204, LogLevel.Critical, "Redis lost the budget counters under '{Prefix}' (its generation key was reset: a restart without persistence?); reservations now take the {Policy} policy until the counters are re-seeded from the ledger.")]
        public static partial void GenerationLost(ILogger logger, string prefix, RedisFailurePolicy policy);

        [LoggerMessage(205, LogLevel.Information, "The budget counters under '{Prefix}' were re-seeded from the ledger; reservations use Redis again.")]
        public static partial void GenerationReseeded(ILogger logger, string prefix);
    }
}
