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
        if (limits.MaximumInputTokens is { } input && used.InputTokens + amount.InputTokens > input)
        {
            return new(false, BudgetLimitKind.InputTokens, input, used.InputTokens);
        }

        if (limits.MaximumOutputTokens is { } output && used.OutputTokens + amount.OutputTokens > output)
        {
            return new(false, BudgetLimitKind.OutputTokens, output, used.OutputTokens);
        }

        if (limits.MaximumTotalTokens is { } total && used.TotalTokens + amount.TotalTokens > total)
        {
            return new(false, BudgetLimitKind.TotalTokens, total, used.TotalTokens);
        }

        if (limits.MaximumCost is { } cost && used.Cost + amount.Cost > cost)
        {
            return new(false, BudgetLimitKind.Cost, cost, used.Cost);
        }

        return Reserved;
    }
}
