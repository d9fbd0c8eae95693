using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiCostGuard.Redis;

/// <summary>
/// Compares the period-budget counters a <see cref="RedisBudgetStore"/> keeps with what the ledger's calls add up to,
/// window by window and key by key, and repairs Redis from the ledger: after a Redis restart without persistence, or
/// when counters drifted (a crashed process's lost flush, a manual edit).
/// </summary>
/// <remarks>
/// <para>
/// Give it the same <see cref="RedisBudgetStoreOptions"/> and <see cref="PeriodBudgetOptions"/> as the application, and
/// the ledger's calls for a time range (from <see cref="CostLedgerReader"/> or the PostgreSQL ledger's reader). Only
/// windows that lie wholly inside the range and that Redis still keeps (their end plus retention is not past) are
/// compared, so a month is never judged on half its calls. A window is found on either side: in the ledger's calls, or
/// among Redis's keys for the budget (a counter with no call behind it is drift too).
/// </para>
/// <para>
/// A repair sets each drifted window's committed totals to the ledger's — an absolute value, never an increment — and
/// only if Redis still holds what the comparison read (a compare-and-set in one Lua script). Repairing twice, or from
/// many processes at once, therefore gives the same result as once, and a commit that lands meanwhile is never
/// overwritten (that window reports <see cref="BudgetRepair.ChangedMeanwhile"/>). Spend that is in neither place yet — a
/// record still queued for the ledger, a lease's spend not yet flushed to Redis — is drift the repair cannot see: repair
/// after the writers flushed, or accept a gap of at most what is in flight. Then it marks Redis as seeded, so stores
/// that stopped on a restart they detected (see <see cref="RedisBudgetStore"/>) resume.
/// </para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class RedisBudgetReconciler : IAsyncDisposable
{
    /// <summary>Sets a window's committed totals to the ledger's if Redis still holds what was compared. KEYS: the totals hash. ARGV: 1–3 compared, 4–6 ledger, 7 time to live (s). Returns 1 repaired, 2 already the ledger's, 0 changed meanwhile.</summary>
    private const string Reseed = """
        local h = redis.call('HMGET', KEYS[1], 'i', 'o', 'c')
        local i, o, c = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
        if i == tonumber(ARGV[4]) and o == tonumber(ARGV[5]) and c == tonumber(ARGV[6]) then return 2 end
        if i ~= tonumber(ARGV[1]) or o ~= tonumber(ARGV[2]) or c ~= tonumber(ARGV[3]) then return 0 end
        redis.call('HSET', KEYS[1], 'i', ARGV[4], 'o', ARGV[5], 'c', ARGV[6])
        redis.call('EXPIRE', KEYS[1], ARGV[7])
        return 1
        """;

    private readonly RedisBudgetStoreOptions _options;
    private readonly PeriodBudget[] _budgets;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private readonly bool _ownsConnection;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The Redis store's options: its connection and key prefix.</param>
    /// <param name="budgets">The period budgets whose windows to reconcile, as the application configures them.</param>
    /// <param name="timeProvider">The clock that says which windows Redis still keeps; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options or a budget are invalid; the exception lists every problem.</exception>
    public RedisBudgetReconciler(RedisBudgetStoreOptions options, IEnumerable<PeriodBudgetOptions> budgets, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(budgets);
        PeriodBudgetOptions[] list = [.. budgets];
        var problems = new List<string>(options.Validate());
        for (int i = 0; i < list.Length; i++)
        {
            problems.AddRange(list[i]?.Validate($"budgets[{i}].") ?? [$"budgets[{i}]: the budget is missing."]);
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(RedisBudgetReconciler), typeof(RedisBudgetReconciler), problems);
        }

        _options = options;
        _budgets = [.. list.Select(b => new PeriodBudget(b))];
        _time = timeProvider ?? TimeProvider.System;
        _retention = RedisBudgetKeys.Retention(options);
        _ownsConnection = options.ConnectionMultiplexerFactory is null;
        _connection = new Lazy<Task<IConnectionMultiplexer>>(
            () => options.ConnectionMultiplexerFactory is { } factory ? factory() : ConnectAsync(options.Configuration!),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Compares every window wholly inside [<paramref name="from"/>, <paramref name="to"/>) without changing Redis.</summary>
    /// <param name="calls">The ledger's calls; those outside the range are ignored.</param>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="cancellationToken">Cancels the comparison.</param>
    /// <returns>Every window compared, drifted or not, ordered by budget, start and key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    /// <exception cref="RedisException">Redis cannot be reached.</exception>
    public Task<IReadOnlyList<BudgetWindowReconciliation>> CompareAsync(IEnumerable<CostRecord> calls, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        RunAsync(calls, from, to, repair: false, cancellationToken);

    /// <summary>Compares as <see cref="CompareAsync"/> does, then sets every drifted window's committed totals to the ledger's and marks Redis as seeded.</summary>
    /// <param name="calls">The ledger's calls; those outside the range are ignored.</param>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="cancellationToken">Cancels the repair; windows already repaired stay so.</param>
    /// <returns>Every window compared, with what the repair did to it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    /// <exception cref="RedisException">Redis cannot be reached.</exception>
    public Task<IReadOnlyList<BudgetWindowReconciliation>> RepairAsync(IEnumerable<CostRecord> calls, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        RunAsync(calls, from, to, repair: true, cancellationToken);

    /// <summary>Closes the connection the reconciler opened.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var parsed = ConfigurationOptions.Parse(configuration);
        parsed.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(parsed);
    }

    private async Task<IReadOnlyList<BudgetWindowReconciliation>> RunAsync(IEnumerable<CostRecord> calls, DateTimeOffset from, DateTimeOffset to, bool repair, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (to <= from)
        {
            throw new ArgumentException($"The range must end after it starts; it is [{from:O}, {to:O}).", nameof(to));
        }

        DateTimeOffset now = _time.GetUtcNow();
        var windows = new Dictionary<(int Budget, string Key, DateTimeOffset Start), (BudgetWindow Window, RedisAmount Ledger)>();
        foreach (CostRecord call in calls)
        {
            if (call.Timestamp < from || call.Timestamp >= to)
            {
                continue;
            }

            for (int b = 0; b < _budgets.Length; b++)
            {
                PeriodBudget budget = _budgets[b];
                BudgetWindow window = budget.Window(budget.Name + "|" + AttributionKey.Build(budget.Dimensions, call.Attribution ?? CostAttribution.Empty), call.Timestamp);
                if (Covered(window, from, to, now))
                {
                    (int, string, DateTimeOffset) id = (b, window.Key, window.Start);
                    RedisAmount spent = RedisAmount.From(new BudgetUsage(call.InputTokens, call.OutputTokens, call.Cost));
                    windows[id] = windows.TryGetValue(id, out (BudgetWindow Window, RedisAmount Ledger) seen) ? (window, seen.Ledger + spent) : (window, spent);
                }
            }
        }

        IConnectionMultiplexer connection = await _connection.Value.WaitAsync(cancellationToken);
        IDatabase database = connection.GetDatabase();
        await AddRedisOnlyWindowsAsync(connection, windows, from, to, now, cancellationToken);

        var results = new List<BudgetWindowReconciliation>(windows.Count);
        foreach (KeyValuePair<(int Budget, string Key, DateTimeOffset Start), (BudgetWindow Window, RedisAmount Ledger)> entry in windows)
        {
            (BudgetWindow window, RedisAmount ledger) = entry.Value;
            RedisKey totals = RedisBudgetKeys.Committed(_options.KeyPrefix, window);
            RedisValue[] h = await database.HashGetAsync(totals, ["i", "o", "c"]).WaitAsync(cancellationToken);
            var held = new RedisAmount(Long(h[0]), Long(h[1]), Long(h[2]));
            BudgetRepair done = BudgetRepair.None;
            if (repair && held != ledger)
            {
                var answer = (int)await database.ScriptEvaluateAsync(
                    Reseed,
                    [totals],
                    [held.Input, held.Output, held.Nanos, ledger.Input, ledger.Output, ledger.Nanos, RedisBudgetKeys.TimeToLiveSeconds(window, now, _retention)]).WaitAsync(cancellationToken);
                done = answer switch
                {
                    1 => BudgetRepair.Repaired,
                    2 => BudgetRepair.AlreadyRepaired,
                    _ => BudgetRepair.ChangedMeanwhile,
                };
            }

            DateTimeOffset end = window.IsRolling ? window.Start + window.BucketLength : window.End;
            results.Add(new BudgetWindowReconciliation(_budgets[entry.Key.Budget].Name, window.Key, window.Start, end, ledger.ToUsage(), held.ToUsage(), done));
        }

        if (repair)
        {
            await RedisGeneration.MarkSeededAsync(database, _options.KeyPrefix).WaitAsync(cancellationToken);
        }

        return [.. results.OrderBy(r => r.Budget, StringComparer.Ordinal).ThenBy(r => r.Start).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    /// <summary>Adds the windows Redis counts that no ledger call falls in: a counter with nothing behind it is drift too.</summary>
    private async Task AddRedisOnlyWindowsAsync(IConnectionMultiplexer connection, Dictionary<(int Budget, string Key, DateTimeOffset Start), (BudgetWindow Window, RedisAmount Ledger)> windows, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string prefix = _options.KeyPrefix;
        for (int b = 0; b < _budgets.Length; b++)
        {
            PeriodBudget budget = _budgets[b];
            bool rolling = budget.Period == BudgetPeriod.Rolling;
            string pattern = RedisBudgetKeys.Glob(prefix + "{" + budget.Name + "|") + "*";
            foreach (IServer server in connection.GetServers())
            {
                if (server.IsReplica)
                {
                    continue;
                }

                await foreach (RedisKey key in server.KeysAsync(pattern: pattern).WithCancellation(cancellationToken))
                {
                    if (!RedisBudgetKeys.TryParseCommitted(prefix, key.ToString(), rolling, out string windowKey, out DateTimeOffset start))
                    {
                        continue;
                    }

                    // The window the bucket or period belongs to, by the budget's own rules, as the store was given it.
                    BudgetWindow window = budget.Window(windowKey, start);
                    if (window.Start == start && Covered(window, from, to, now))
                    {
                        windows.TryAdd((b, window.Key, window.Start), (window, default));
                    }
                }
            }
        }
    }

    private static bool Covered(BudgetWindow window, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        DateTimeOffset end = window.IsRolling ? window.Start + window.BucketLength : window.End;
        return window.Start >= from && end <= to && window.RetainUntil > now;
    }

    private static long Long(RedisValue value) => value.IsNull ? 0 : (long)value;
}
