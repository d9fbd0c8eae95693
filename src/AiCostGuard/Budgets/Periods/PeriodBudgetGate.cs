using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// Checks a call against the spend-velocity rules and reserves its worst case in every period budget its attribution
/// falls in, after the scope gate (<see cref="BudgetGate"/>) admitted it; commits the actual usage when it settles.
/// </summary>
/// <remarks>
/// The middleware creates one only when period budgets or velocity rules are configured, so calls without them keep
/// the synchronous, allocation-free admission path. With the in-memory store every step completes synchronously.
/// Keys are computed once per <see cref="CostAttribution"/> instance (ambient attributions are reused across calls).
/// </remarks>
internal sealed partial class PeriodBudgetGate
{
    private readonly PeriodBudget[] _budgets;
    private readonly SpendVelocityMeter[] _meters;
    private readonly IBudgetStore _store;
    private readonly TimeProvider _time;
    private readonly EnforcementMode _mode;
    private readonly ILogger _logger;
    private readonly Action<SpendVelocityEventArgs> _alert;
    private readonly ConditionalWeakTable<CostAttribution, string[]> _keys = new();
    private readonly ConditionalWeakTable<CostAttribution, string[]>.CreateValueCallback _buildKeys;

    // Call ids unique across processes (a shared store sees many) without a random number per call.
    private readonly string _idPrefix = Guid.NewGuid().ToString("N") + "-";
    private long _sequence;

    public PeriodBudgetGate(CostGovernanceOptions options, TimeProvider time, ILogger logger, Action<SpendVelocityEventArgs> alert)
    {
        _budgets = options.PeriodBudgets.Select(b => new PeriodBudget(b)).ToArray();
        _meters = options.SpendVelocity.Select(r => new SpendVelocityMeter(r)).ToArray();
        _store = options.BudgetStore ?? new InMemoryBudgetStore();
        _time = time;
        _mode = options.Mode;
        _logger = logger;
        _alert = alert;
        _buildKeys = BuildKeys;
    }

    public IBudgetStore Store => _store;

    public static PeriodBudgetGate? Create(CostGovernanceOptions options, TimeProvider time, ILogger logger, Action<SpendVelocityEventArgs> alert) =>
        options.PeriodBudgets.Count == 0 && options.SpendVelocity.Count == 0 ? null : new PeriodBudgetGate(options, time, logger, alert);

    /// <summary>
    /// Applies the velocity rules, then reserves the worst case of <paramref name="demand"/> in every period budget. When
    /// one cannot hold it and the call may be clamped, the output every period budget can still pay is reserved instead
    /// (and given in <see cref="PeriodHold.ClampedOutput"/>), down to the minimum. On a refusal what was reserved is
    /// released and the refusal thrown, unless in shadow mode.
    /// </summary>
    /// <exception cref="BudgetExceededException">A period budget cannot hold the worst case, nor a clamped one.</exception>
    /// <exception cref="SpendVelocityExceededException">A velocity rule blocks the call.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached and fails closed.</exception>
    public async ValueTask<PeriodHold> AdmitAsync(CostAttribution attribution, PeriodDemand demand, string? modelId, CancellationToken cancellationToken)
    {
        string[] keys = _keys.GetValue(attribution, _buildKeys);
        Exception? shadowBreach = null;
        for (int i = 0; i < _meters.Length; i++)
        {
            Exception? breach = await PaceAsync(_meters[i], keys[_budgets.Length + i], cancellationToken);
            shadowBreach ??= breach;
        }

        var hold = new PeriodHold(_idPrefix + Interlocked.Increment(ref _sequence).ToString("x", CultureInfo.InvariantCulture), keys, new BudgetWindow[_budgets.Length]) { ShadowBreach = shadowBreach };
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _budgets.Length; i++)
        {
            PeriodBudget budget = _budgets[i];
            hold.Windows[i] = budget.Window(budget.Name + "|" + keys[i], now);
        }

        BudgetUsage worstCase = demand.WorstCase(demand.OutputTokens);
        BudgetExceededException? refusal = await ReserveAllAsync(hold, worstCase, modelId, cancellationToken);
        if (refusal is null)
        {
            return hold;
        }

        if (demand.MayClamp && refusal.LimitKind is BudgetLimitKind.Cost or BudgetLimitKind.OutputTokens or BudgetLimitKind.TotalTokens)
        {
            // Nothing of this call is held now: the room left is what every window can pay beside everyone else's spend.
            long room = demand.OutputTokens;
            for (int i = 0; i < hold.Windows.Length && room >= demand.MinimumClampedOutput; i++)
            {
                BudgetWindowUsage usage = await _store.GetUsageAsync(hold.Windows[i], cancellationToken);
                room = Math.Min(room, BudgetGate.OutputRoom(_budgets[i].Limits, usage.Used, demand.Price, demand.InputTokens, room));
            }

            if (room >= demand.MinimumClampedOutput && room > 0
                && await ReserveAllAsync(hold, demand.WorstCase(room), modelId, cancellationToken) is null)
            {
                hold.ClampedOutput = room;
                hold.ClampKind = refusal.LimitKind;
                hold.ClampBudget = refusal.BudgetName;
                return hold;
            }
        }

        throw refusal;
    }

    /// <summary>
    /// Reserves <paramref name="worstCase"/> in every window of <paramref name="hold"/>. Returns the refusal of the first
    /// window that cannot hold it, after releasing what the windows before it reserved; in shadow mode the refusal is
    /// kept as the hold's breach and the other windows are still reserved.
    /// </summary>
    private async ValueTask<BudgetExceededException?> ReserveAllAsync(PeriodHold hold, BudgetUsage worstCase, string? modelId, CancellationToken cancellationToken)
    {
        for (int i = 0; i < hold.Windows.Length; i++)
        {
            BudgetWindow window = hold.Windows[i];
            BudgetReservation answer;
            try
            {
                answer = await _store.TryReserveAsync(window, hold.Id, worstCase, _budgets[i].Limits, cancellationToken);
            }
            catch
            {
                await ReleaseAsync(hold, i);
                throw;
            }

            if (answer.IsReserved)
            {
                continue;
            }

            var refusal = new BudgetExceededException(answer.LimitKind!.Value, answer.Limit, answer.Used, Requested(answer.LimitKind.Value, worstCase), window.Key, modelId);
            if (_mode == EnforcementMode.Shadow)
            {
                hold.ShadowBreach ??= refusal;
                continue;
            }

            await ReleaseAsync(hold, i);
            return refusal;
        }

        return null;
    }

    /// <summary>Commits <paramref name="actual"/> in every window of <paramref name="hold"/> (refunding the rest of each reservation) and books its cost to the velocity rules.</summary>
    public async ValueTask SettleAsync(PeriodHold hold, BudgetUsage actual)
    {
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _meters.Length; i++)
        {
            _meters[i].Add(hold.Keys[_budgets.Length + i], now, actual.Cost);
        }

        for (int i = 0; i < hold.Windows.Length; i++)
        {
            try
            {
                await _store.CommitAsync(hold.Windows[i], hold.Id, actual, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The call has already been charged to its scopes and the ledger; a store that cannot take the commit
                // must not turn a finished call into a failure.
                Log.CommitFailed(_logger, hold.Windows[i].Key, e);
            }
        }
    }

    /// <summary>Refunds what <paramref name="hold"/> reserved in its first <paramref name="count"/> windows.</summary>
    public async ValueTask ReleaseAsync(PeriodHold hold, int count)
    {
        for (int i = 0; i < count; i++)
        {
            try
            {
                await _store.CommitAsync(hold.Windows[i], hold.Id, default, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.CommitFailed(_logger, hold.Windows[i].Key, e);
            }
        }
    }

    private static decimal Requested(BudgetLimitKind kind, BudgetUsage worstCase) => kind switch
    {
        BudgetLimitKind.InputTokens => worstCase.InputTokens,
        BudgetLimitKind.OutputTokens => worstCase.OutputTokens,
        BudgetLimitKind.TotalTokens => worstCase.TotalTokens,
        _ => worstCase.Cost,
    };

    private async ValueTask<Exception?> PaceAsync(SpendVelocityMeter meter, string key, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        (decimal cost, decimal threshold, TimeSpan wait) = meter.Read(key, now);
        if (cost <= threshold)
        {
            return null;
        }

        Log.VelocityExceeded(_logger, meter.Name, key, cost, SpendVelocityExceededException.Unit(meter.Window), threshold, meter.Action);
        _alert(new SpendVelocityEventArgs(meter.Name, key, meter.Window, cost, threshold, meter.Action, now));
        if (meter.Action == SpendVelocityAction.Alert)
        {
            return null;
        }

        var refusal = new SpendVelocityExceededException(meter.Name, key, meter.Window, cost, threshold);
        if (_mode == EnforcementMode.Shadow)
        {
            return refusal;
        }

        if (meter.Action == SpendVelocityAction.Block || wait > meter.MaximumThrottleWait)
        {
            throw refusal;
        }

        await Task.Delay(wait, _time, cancellationToken);
        (cost, threshold, _) = meter.Read(key, _time.GetUtcNow());
        return cost <= threshold ? null : throw new SpendVelocityExceededException(meter.Name, key, meter.Window, cost, threshold);
    }

    private string[] BuildKeys(CostAttribution attribution)
    {
        var keys = new string[_budgets.Length + _meters.Length];
        for (int i = 0; i < _budgets.Length; i++)
        {
            keys[i] = AttributionKey.Build(_budgets[i].Dimensions, attribution);
        }

        for (int i = 0; i < _meters.Length; i++)
        {
            keys[_budgets.Length + i] = AttributionKey.Build(_meters[i].Dimensions, attribution);
        }

        return keys;
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "Spend velocity of '{Key}' is above rule '{Rule}': ${Cost} per {Window}, threshold ${Threshold}; action {Action}.")]
        public static partial void VelocityExceeded(ILogger logger, string rule, string key, decimal cost, string window, decimal threshold, SpendVelocityAction action);

        [LoggerMessage(102, LogLevel.Error, "The budget store did not take the commit for '{Key}'.")]
        public static partial void CommitFailed(ILogger logger, string key, Exception exception);
    }
}
