using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// Enforces adaptive envelopes (<see cref="AdaptiveEnvelopeOptions"/>) at call time: a call's worst case is reserved in
/// the budget store against the envelope's ceiling as it stands, and refused, clamped or (in shadow mode) let through
/// like a period budget's. Settled costs and successful outcomes move the ceiling by the rule of
/// <see cref="EnvelopeCeiling"/>, and every move is reported as an <see cref="EnvelopeStep"/>.
/// </summary>
/// <remarks>
/// The spend is kept in the <see cref="IBudgetStore"/>, so a shared store holds the ceiling across processes; the
/// ceiling itself is worked out from the costs and outcomes this process sees. Costs are booked when a call settles and
/// outcomes when they are recorded, so for calls made one after another the ceilings equal a replay of the ledger's
/// records (<c>AdaptiveEnvelope.Replay</c>). Thread-safe: each key's ceiling has its own lock, never held across an await.
/// </remarks>
internal sealed partial class AdaptiveEnvelopeGate : ICallGate
{
    private readonly AdaptiveEnvelopeOptions[] _envelopes;
    private readonly BudgetLimits[] _baseLimits;
    private readonly IBudgetStore _store;
    private readonly TimeProvider _time;
    private readonly EnforcementMode _mode;
    private readonly ILogger _logger;
    private readonly Action<EnvelopeStep> _onStep;
    private readonly AttributionKeys _keys;
    private readonly ConcurrentDictionary<string, Current> _ceilings = new(StringComparer.Ordinal);
    private readonly string _idPrefix = "envelope-" + Guid.NewGuid().ToString("N") + "-";
    private long _sequence;

    public AdaptiveEnvelopeGate(IEnumerable<AdaptiveEnvelopeOptions> envelopes, IBudgetStore? store, TimeProvider time, EnforcementMode mode, ILogger logger, Action<EnvelopeStep> onStep)
    {
        _envelopes = [.. envelopes.Select(e => e.Clone())];
        _baseLimits = [.. _envelopes.Select(e => new BudgetLimits { MaximumCost = e.Base })];
        _store = store ?? new InMemoryBudgetStore();
        _time = time;
        _mode = mode;
        _logger = logger;
        _onStep = onStep;
        _keys = new AttributionKeys([.. _envelopes.Select(e => e.Dimensions)]);
    }

    public IBudgetStore Store => _store;

    /// <exception cref="BudgetExceededException">An envelope's ceiling cannot hold the worst case, nor a clamped one.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached and fails closed.</exception>
    public async ValueTask<GateHold> AdmitAsync(GateDemand demand, CancellationToken cancellationToken)
    {
        string[] keys = _keys.For(demand.Attribution);
        DateTimeOffset now = _time.GetUtcNow();
        var hold = new EnvelopeHold(_idPrefix + Interlocked.Increment(ref _sequence).ToString("x", CultureInfo.InvariantCulture), now, keys, new BudgetWindow[_envelopes.Length]);
        var limits = new BudgetLimits[_envelopes.Length];
        for (int i = 0; i < _envelopes.Length; i++)
        {
            (DateTimeOffset start, DateTimeOffset end) = EnvelopeCeiling.Period(_envelopes[i], now);
            hold.Windows[i] = new BudgetWindow(_envelopes[i].Name + "|" + keys[i], start, end, TimeSpan.Zero, 1);
            limits[i] = Limits(i, keys[i], start);
        }

        BudgetExceededException? refusal = await ReserveAllAsync(hold, limits, demand.WorstCase(demand.OutputTokens), demand.ModelId, cancellationToken);
        if (refusal is null)
        {
            return new GateHold(hold, hold.ShadowBreach);
        }

        if (demand.MayClamp && refusal.LimitKind == BudgetLimitKind.Cost)
        {
            long room = demand.OutputTokens;
            for (int i = 0; i < hold.Windows.Length && room >= demand.MinimumClampedOutput; i++)
            {
                BudgetWindowUsage usage = await _store.GetUsageAsync(hold.Windows[i], cancellationToken);
                room = Math.Min(room, Ceilings.OutputRoom(limits[i], usage.Used, demand.Price, demand.InputTokens, room));
            }

            if (room >= demand.MinimumClampedOutput && room > 0
                && await ReserveAllAsync(hold, limits, demand.WorstCase(room), demand.ModelId, cancellationToken) is null)
            {
                return new GateHold(hold, hold.ShadowBreach, room, refusal.LimitKind, refusal.BudgetName);
            }
        }

        throw refusal;
    }

    /// <inheritdoc/>
    public async ValueTask SettleAsync(GateHold hold, BudgetUsage actual)
    {
        var held = (EnvelopeHold)hold.State!;
        await CommitAsync(held, held.Windows.Length, actual);
        for (int i = 0; i < _envelopes.Length; i++)
        {
            Book(i, held.Keys[i], held.Time, actual.Cost, success: false);
        }
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(GateHold hold) => CommitAsync((EnvelopeHold)hold.State!, ((EnvelopeHold)hold.State!).Windows.Length, default);

    /// <summary>Books a successful outcome recorded for <paramref name="attribution"/>: each envelope that counts it may raise its ceiling.</summary>
    public void OnOutcome(DateTimeOffset time, CostAttribution attribution, string name, bool success)
    {
        if (!success)
        {
            return;
        }

        string[] keys = _keys.For(attribution);
        for (int i = 0; i < _envelopes.Length; i++)
        {
            if (_envelopes[i].OutcomeName is null || _envelopes[i].OutcomeName == name)
            {
                Book(i, keys[i], time, 0m, success: true);
            }
        }
    }

    /// <summary>The limits of the ceiling in force for <paramref name="key"/> in the period starting at <paramref name="periodStart"/>: its base until something is booked there.</summary>
    private BudgetLimits Limits(int envelope, string key, DateTimeOffset periodStart) =>
        _ceilings.TryGetValue(_envelopes[envelope].Name + "|" + key, out Current? current) && current.InForce is { } inForce && inForce.PeriodStart == periodStart
            ? inForce.Limits
            : _baseLimits[envelope];

    private void Book(int envelope, string key, DateTimeOffset time, decimal cost, bool success)
    {
        AdaptiveEnvelopeOptions options = _envelopes[envelope];
        Current current = _ceilings.GetOrAdd(options.Name + "|" + key, static _ => new Current());
        EnvelopeStep? start = null;
        EnvelopeStep? step;
        lock (current.Sync)
        {
            if (current.Ceiling is null || !current.Ceiling.Covers(time))
            {
                // A new period starts from the base; the last period's ceiling is no longer needed.
                current.Ceiling = EnvelopeCeiling.Begin(options, key, time, out EnvelopeStep begun);
                start = begun;
            }

            decimal before = current.Ceiling.Ceiling;
            step = current.Ceiling.Apply(time, cost, success);
            if (start is not null || current.Ceiling.Ceiling != before)
            {
                // One reference, so a call admitted meanwhile reads a period and its ceiling together.
                current.InForce = new InForceCeiling(current.Ceiling.PeriodStart, new BudgetLimits { MaximumCost = current.Ceiling.Ceiling });
            }
        }

        Report(start);
        Report(step);
    }

    private void Report(EnvelopeStep? step)
    {
        if (step is null)
        {
            return;
        }

        Log.Moved(_logger, step.Envelope, step.Key, step.Change, step.Ceiling, step.CostPerSuccess);
        try
        {
            _onStep(step);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.StepLost(_logger, step.Envelope, step.Key, e);
        }
    }

    private async ValueTask<BudgetExceededException?> ReserveAllAsync(EnvelopeHold hold, BudgetLimits[] limits, BudgetUsage worstCase, string? modelId, CancellationToken cancellationToken)
    {
        for (int i = 0; i < hold.Windows.Length; i++)
        {
            BudgetReservation answer;
            try
            {
                answer = await _store.TryReserveAsync(hold.Windows[i], hold.Id, worstCase, limits[i], cancellationToken);
            }
            catch
            {
                await CommitAsync(hold, i, default);
                throw;
            }

            if (answer.IsReserved)
            {
                continue;
            }

            var refusal = new BudgetExceededException(answer.LimitKind!.Value, answer.Limit, answer.Used, Ceilings.Amount(worstCase, answer.LimitKind.Value), hold.Windows[i].Key, modelId);
            if (_mode == EnforcementMode.Shadow)
            {
                hold.ShadowBreach ??= refusal;
                continue;
            }

            await CommitAsync(hold, i, default);
            return refusal;
        }

        return null;
    }

    /// <summary>Commits <paramref name="actual"/> in the first <paramref name="count"/> windows of <paramref name="hold"/>; zero refunds them.</summary>
    private async ValueTask CommitAsync(EnvelopeHold hold, int count, BudgetUsage actual)
    {
        for (int i = 0; i < count; i++)
        {
            try
            {
                await _store.CommitAsync(hold.Windows[i], hold.Id, actual, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The call is charged to its scopes and the ledger already; a store that cannot take the commit must
                // not turn a finished call into a failure.
                Log.CommitFailed(_logger, hold.Windows[i].Key, e);
            }
        }
    }

    /// <summary>A key's ceiling in its current period, and the limits a reservation is checked against.</summary>
    private sealed class Current
    {
        public Lock Sync { get; } = new();

        public EnvelopeCeiling? Ceiling { get; set; }

        public volatile InForceCeiling? InForce;
    }

    /// <summary>The ceiling calls are reserved against, and the period it belongs to.</summary>
    private sealed record InForceCeiling(DateTimeOffset PeriodStart, BudgetLimits Limits);

    private static partial class Log
    {
        [LoggerMessage(110, LogLevel.Information, "Adaptive envelope '{Envelope}' for '{Key}': {Change}, ceiling {Ceiling}, cost per success {CostPerSuccess}.")]
        public static partial void Moved(ILogger logger, string envelope, string key, EnvelopeChange change, decimal ceiling, decimal? costPerSuccess);

        [LoggerMessage(111, LogLevel.Error, "The ledger did not take the step of adaptive envelope '{Envelope}' for '{Key}'.")]
        public static partial void StepLost(ILogger logger, string envelope, string key, Exception exception);

        [LoggerMessage(112, LogLevel.Error, "The budget store did not take the commit for adaptive envelope window '{Key}'.")]
        public static partial void CommitFailed(ILogger logger, string key, Exception exception);
    }
}
