using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// Reserves a call's worst case in every period budget its attribution falls in, after the scope gate
/// (<see cref="BudgetGate"/>) admitted it; commits the actual usage when it settles.
/// </summary>
/// <remarks>
/// The pipeline registers one only when period budgets are configured, so calls without them keep the synchronous,
/// allocation-free admission path. With the in-memory store every step completes synchronously. Keys are computed
/// once per <see cref="CostAttribution"/> instance (ambient attributions are reused across calls).
/// </remarks>
internal sealed partial class PeriodBudgetGate : ICallGate
{
    private readonly PeriodBudget[] _budgets;
    private readonly IBudgetStore _store;
    private readonly TimeProvider _time;
    private readonly EnforcementMode _mode;
    private readonly ILogger _logger;
    private readonly AttributionKeys _keys;

    // Call ids unique across processes (a shared store sees many) without a random number per call.
    private readonly string _idPrefix = Guid.NewGuid().ToString("N") + "-";
    private long _sequence;

    public PeriodBudgetGate(IEnumerable<PeriodBudgetOptions> budgets, IBudgetStore? store, TimeProvider time, EnforcementMode mode, ILogger logger, Action<BudgetTierEventArgs, CostAttribution>? onTierReached = null, DegradeLadder? ladder = null)
    {
        _onTierReached = onTierReached;
        _ladder = ladder;
        _budgets = budgets.Select(b => new PeriodBudget(b)).ToArray();
        _store = store ?? new InMemoryBudgetStore();
        _time = time;
        _mode = mode;
        _logger = logger;
        _keys = new AttributionKeys(_budgets.Select(b => b.Dimensions).ToArray());
        _tiered = _budgets.Any(b => b.Tiers is not null);
    }

    public IBudgetStore Store => _store;

    /// <summary>
    /// Reserves the worst case of <paramref name="demand"/> in every period budget. When one cannot hold it and the call
    /// may be clamped, the output every period budget can still pay is reserved instead (and given in
    /// <see cref="GateHold.ClampedOutput"/>), down to the minimum. On a refusal what was reserved is released and the
    /// refusal thrown, unless in shadow mode.
    /// </summary>
    /// <exception cref="BudgetExceededException">A period budget cannot hold the worst case, nor a clamped one.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached and fails closed.</exception>
    public async ValueTask<GateHold> AdmitAsync(GateDemand demand, CancellationToken cancellationToken)
    {
        string[] keys = _keys.For(demand.Attribution);
        var hold = new PeriodHold(_idPrefix + Interlocked.Increment(ref _sequence).ToString("x", CultureInfo.InvariantCulture), keys, new BudgetWindow[_budgets.Length]);
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _budgets.Length; i++)
        {
            PeriodBudget budget = _budgets[i];
            hold.Windows[i] = budget.Window(budget.Name + "|" + keys[i], now);
        }

        TierVerdict? tier = null;
        ModelProfile? degradedTo = null;
        if (_tiered)
        {
            tier = await ReadTiersAsync(hold, demand, now, cancellationToken);
            if (tier is { Degrades: true } && _ladder?.Below(demand.ModelId, demand.Price, demand.InputTokens, demand.OutputTokens) is { } cheaper)
            {
                // Reserved at the price the call is sent at; its scopes hold the dearer model's worst case until it settles.
                degradedTo = cheaper;
                demand = demand with { ModelId = cheaper.ModelId, Price = cheaper.Price };
            }
        }

        string? modelId = demand.ModelId;
        BudgetUsage worstCase = demand.WorstCase(demand.OutputTokens);
        BudgetExceededException? refusal = await ReserveAllAsync(hold, worstCase, modelId, cancellationToken);
        if (refusal is null)
        {
            return new GateHold(hold, hold.ShadowBreach, Tier: tier, DegradedTo: degradedTo);
        }

        if (demand.MayClamp && refusal.LimitKind is BudgetLimitKind.Cost or BudgetLimitKind.OutputTokens or BudgetLimitKind.TotalTokens)
        {
            // Nothing of this call is held now: the room left is what every window can pay beside everyone else's spend.
            long room = demand.OutputTokens;
            for (int i = 0; i < hold.Windows.Length && room >= demand.MinimumClampedOutput; i++)
            {
                BudgetWindowUsage usage = await _store.GetUsageAsync(hold.Windows[i], cancellationToken);
                room = Math.Min(room, Ceilings.OutputRoom(_budgets[i].ReservedLimits, usage.Used, demand.Price, demand.InputTokens, room));
            }

            if (room >= demand.MinimumClampedOutput && room > 0
                && await ReserveAllAsync(hold, demand.WorstCase(room), modelId, cancellationToken) is null)
            {
                return new GateHold(hold, hold.ShadowBreach, room, refusal.LimitKind, refusal.BudgetName, tier, degradedTo);
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
                answer = await _store.TryReserveAsync(window, hold.Id, worstCase, _budgets[i].ReservedLimits, cancellationToken);
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

            var refusal = new BudgetExceededException(answer.LimitKind!.Value, answer.Limit, answer.Used, Ceilings.Amount(worstCase, answer.LimitKind.Value), window.Key, modelId)
            {
                RetryAt = window.End,
            };
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

    /// <inheritdoc/>
    public ValueTask SettleAsync(GateHold hold, BudgetUsage actual) => CommitAsync((PeriodHold)hold.State!, actual);

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(GateHold hold) => ReleaseAsync((PeriodHold)hold.State!, ((PeriodHold)hold.State!).Windows.Length);

    /// <summary>Commits <paramref name="actual"/> in every window of <paramref name="hold"/>, refunding the rest of each reservation.</summary>
    private async ValueTask CommitAsync(PeriodHold hold, BudgetUsage actual)
    {
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
    private async ValueTask ReleaseAsync(PeriodHold hold, int count)
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

    private static partial class Log
    {
        [LoggerMessage(102, LogLevel.Error, "The budget store did not take the commit for '{Key}'.")]
        public static partial void CommitFailed(ILogger logger, string key, Exception exception);
    }
}
