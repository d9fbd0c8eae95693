namespace AiCostGuard;

/// <summary>The most a run configuration can cost before it starts: <see cref="CostQuote.ForRun(int, BudgetLimits?, long?)"/>.</summary>
public sealed record RunQuote
{
    /// <summary>Gets the steps quoted: the ones asked for, capped by the run's <see cref="BudgetLimits.MaximumModelCalls"/>.</summary>
    public int ModelCalls { get; init; }

    /// <summary>Gets the worst case of the first call.</summary>
    public decimal? PerCallWorstCase { get; init; }

    /// <summary>Gets the run's worst case in US dollars: every step at its worst, or the cost ceiling when that is lower; <see langword="null"/> when the model has no price.</summary>
    public decimal? WorstCaseCost { get; init; }

    /// <summary>Gets whether the run's cost ceiling, not its steps, bounds the quote.</summary>
    public bool IsBoundedByCeiling { get; init; }
}
