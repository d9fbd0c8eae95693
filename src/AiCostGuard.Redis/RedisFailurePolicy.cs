namespace AiCostGuard.Redis;

/// <summary>What <see cref="RedisBudgetStore"/> does when Redis cannot be reached (a timeout, a lost connection, or an open circuit).</summary>
public enum RedisFailurePolicy
{
    /// <summary>Calls that need Redis are rejected with <see cref="BudgetStoreUnavailableException"/>: no budget is spent that cannot be checked.</summary>
    FailClosed,

    /// <summary>
    /// Calls proceed against a local allowance, <see cref="RedisBudgetStoreOptions.FailOpenLimits"/> per budget window
    /// in this process; what they spend is written to Redis when it returns.
    /// </summary>
    FailOpen,
}
