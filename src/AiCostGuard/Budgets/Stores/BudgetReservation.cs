namespace AiCostGuard;

/// <summary>The answer of <see cref="IBudgetStore.TryReserveAsync"/>.</summary>
/// <param name="IsReserved">Whether the amount was reserved.</param>
/// <param name="LimitKind">The ceiling that refused it; <see langword="null"/> when reserved.</param>
/// <param name="Limit">That ceiling's value.</param>
/// <param name="Used">What was committed and reserved against that ceiling when it refused.</param>
public readonly record struct BudgetReservation(bool IsReserved, BudgetLimitKind? LimitKind, decimal Limit, decimal Used)
{
    /// <summary>Gets a successful reservation.</summary>
    public static BudgetReservation Reserved => new(true, null, 0m, 0m);

    /// <summary>Checks <paramref name="amount"/> against <paramref name="limits"/> beside <paramref name="used"/>.</summary>
    /// <param name="used">What is committed and reserved.</param>
    /// <param name="amount">What is asked for.</param>
    /// <param name="limits">The ceilings.</param>
    /// <returns><see cref="Reserved"/> when it fits; otherwise the first ceiling it breaks (input, output, total, then cost).</returns>
    public static BudgetReservation Check(BudgetUsage used, BudgetUsage amount, BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        CeilingBreach breach = Ceilings.Check(limits, used, amount);
        return breach.IsBreached ? new(false, breach.Kind, breach.Limit, breach.Used) : Reserved;
    }
}
