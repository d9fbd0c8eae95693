using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// Checks a call against the spend-velocity rules of its attribution keys before it is sent — alert, throttle (wait on
/// the injected clock until the rate is back under the threshold) or block — and books its cost to them when it settles.
/// </summary>
/// <remarks>Registered by the pipeline only when velocity rules are configured; holds nothing between admission and settlement but the call's keys.</remarks>
internal sealed partial class SpendVelocityGate : ICallGate
{
    private readonly SpendVelocityMeter[] _meters;
    private readonly TimeProvider _time;
    private readonly EnforcementMode _mode;
    private readonly ILogger _logger;
    private readonly Action<SpendVelocityEventArgs> _alert;
    private readonly AttributionKeys _keys;

    public SpendVelocityGate(IEnumerable<SpendVelocityRule> rules, TimeProvider time, EnforcementMode mode, ILogger logger, Action<SpendVelocityEventArgs> alert)
    {
        _meters = rules.Select(r => new SpendVelocityMeter(r)).ToArray();
        _time = time;
        _mode = mode;
        _logger = logger;
        _alert = alert;
        _keys = new AttributionKeys(_meters.Select(m => m.Dimensions).ToArray());
    }

    /// <inheritdoc/>
    /// <exception cref="SpendVelocityExceededException">A rule blocks the call, or throttling would wait longer than the rule allows.</exception>
    public async ValueTask<GateHold> AdmitAsync(GateDemand demand, CancellationToken cancellationToken)
    {
        string[] keys = _keys.For(demand.Attribution);
        Exception? shadowBreach = null;
        for (int i = 0; i < _meters.Length; i++)
        {
            Exception? breach = await PaceAsync(_meters[i], keys[i], cancellationToken);
            shadowBreach ??= breach;
        }

        return new GateHold(keys, shadowBreach);
    }

    /// <inheritdoc/>
    public ValueTask SettleAsync(GateHold hold, BudgetUsage actual)
    {
        var keys = (string[])hold.State!;
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _meters.Length; i++)
        {
            _meters[i].Add(keys[i], now, actual.Cost);
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(GateHold hold) => default;

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

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "Spend velocity of '{Key}' is above rule '{Rule}': ${Cost} per {Window}, threshold ${Threshold}; action {Action}.")]
        public static partial void VelocityExceeded(ILogger logger, string rule, string key, decimal cost, string window, decimal threshold, SpendVelocityAction action);
    }
}
