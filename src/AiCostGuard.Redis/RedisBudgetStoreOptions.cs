using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace AiCostGuard.Redis;

/// <summary>Configures <see cref="RedisBudgetStore"/>.</summary>
/// <remarks>
/// <para>
/// <b>Leases and overshoot.</b> With <see cref="UseLeases"/>, a process reserves a chunk of a window's allowance —
/// <see cref="LeaseFraction"/> of each ceiling, or a call's worst case when that is larger — and admits calls against
/// it locally, without a round trip. The chunk is held in Redis as a reservation, so while leases are renewed the
/// ceiling holds exactly across processes. The only overshoot comes from a lease that lapses (its process crashed or
/// stalled longer than <see cref="LeaseDuration"/>) while spend admitted under it is still unreported: that spend is
/// written when the process returns, after others may have used the room. The overshoot of a window is therefore at
/// most the sum of the leases outstanding on it: processes × <see cref="LeaseFraction"/> × ceiling (plus, as with any
/// store, what providers bill beyond a call's reserved worst case). Smaller leases mean a tighter bound and more
/// round trips.
/// </para>
/// <para>
/// <b>Reclaiming.</b> A reservation not committed within <see cref="ReservationTimeout"/>, and a lease not renewed
/// within <see cref="LeaseDuration"/>, is released by the next operation on its window. Expiry is judged by the
/// clients' clocks (the injected <see cref="TimeProvider"/>): keep them synchronized; skew adds to the timeouts.
/// </para>
/// </remarks>
public sealed class RedisBudgetStoreOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</summary>
    /// <value>The default value is <see langword="null"/>; it or <see cref="ConnectionMultiplexerFactory"/> is required.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets a factory for the connection, to share one the application already has; wins over <see cref="Configuration"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>Gets or sets the prefix of every key the store writes.</summary>
    /// <value>The default value is <c>aicostguard:</c>.</value>
    [Required]
    public string KeyPrefix { get; set; } = "aicostguard:";

    /// <summary>Gets or sets whether processes lease chunks of allowance and admit calls against them locally.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseLeases { get; set; } = true;

    /// <summary>Gets or sets the share of each ceiling one lease takes.</summary>
    /// <value>The default value is 0.01 (1%).</value>
    [Range(0.0001, 0.5)]
    public double LeaseFraction { get; set; } = 0.01;

    /// <summary>Gets or sets how long a lease lasts unless renewed; it is renewed by the first call after half of it, and by a background flush.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long a call's reservation is held before it is reclaimed: longer than the slowest call.</summary>
    /// <value>The default value is 10 minutes.</value>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the longest one Redis operation may take before it counts as a failure.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many operations the circuit breaker must see within its 10-second sampling window before half of them failing opens it.</summary>
    /// <value>The default value is 2.</value>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 2;

    /// <summary>Gets or sets how long the circuit stays open — every operation taking the failure policy at once — before one is let through to test Redis.</summary>
    /// <value>The default value is 5 seconds.</value>
    [TimeSpanRange("00:00:00.500", "00:10:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets what happens when Redis cannot be reached.</summary>
    /// <value>The default value is <see cref="RedisFailurePolicy.FailClosed"/>.</value>
    public RedisFailurePolicy FailurePolicy { get; set; } = RedisFailurePolicy.FailClosed;

    /// <summary>Gets or sets the ceilings of the local allowance each budget window gets in this process while Redis is unreachable and the policy is <see cref="RedisFailurePolicy.FailOpen"/>.</summary>
    /// <value>The default sets no ceiling; fail-open requires at least one.</value>
    [Required]
    public BudgetLimits FailOpenLimits { get; set; } = new();

    /// <summary>Lists what is wrong with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = SettingRules.Check(this);
        if (string.IsNullOrWhiteSpace(Configuration) && ConnectionMultiplexerFactory is null)
        {
            problems.Add($"{nameof(Configuration)}: set a Redis configuration string (e.g. 'localhost:6379') or a {nameof(ConnectionMultiplexerFactory)}.");
        }

        if (!Enum.IsDefined(FailurePolicy))
        {
            problems.Add($"{nameof(FailurePolicy)}: '{FailurePolicy}' is not one of {string.Join(", ", Enum.GetNames<RedisFailurePolicy>())}.");
        }

        if (FailOpenLimits is not null)
        {
            problems.AddRange(FailOpenLimits.Validate($"{nameof(FailOpenLimits)}."));
            if (FailurePolicy == RedisFailurePolicy.FailOpen && !FailOpenLimits.HasAny)
            {
                problems.Add($"{nameof(FailOpenLimits)}: fail-open needs a local cap (e.g. MaximumCost), or an outage would be a free-for-all.");
            }
        }

        return problems;
    }
}
