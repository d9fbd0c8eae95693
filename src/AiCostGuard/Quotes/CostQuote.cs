namespace AiCostGuard;

/// <summary>
/// What a model call will cost at most, answered without sending it: <see cref="CostGovernanceChatClient.Quote"/>.
/// </summary>
public sealed record CostQuote
{
    /// <summary>Gets the model the call would go to.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the input tokens of the call.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets how exact <see cref="InputTokens"/> is.</summary>
    public EstimatePrecision Precision { get; init; }

    /// <summary>Gets the most output tokens the call may produce: its <c>MaxOutputTokens</c>, or the model's maximum.</summary>
    public long MaximumOutputTokens { get; init; }

    /// <summary>Gets the worst-case cost in US dollars; <see langword="null"/> when the model has no price.</summary>
    public decimal? WorstCaseCost { get; init; }

    /// <summary>Gets what the budgets in force would decide for the call now: allowed, clamped or rejected.</summary>
    public BudgetDecision Decision { get; init; }

    /// <summary>Gets the ceiling behind a decision other than <see cref="BudgetDecision.Allowed"/>.</summary>
    public BudgetLimitKind? LimitKind { get; init; }

    /// <summary>Gets the output a clamped call would be left with.</summary>
    public long AllowedOutputTokens { get; init; }

    /// <summary>Gets what each candidate of the route that took the call would cost it at worst, in the route's order, and which it chose; <see langword="null"/> when no route took it.</summary>
    public IReadOnlyList<CandidateQuote>? Candidates { get; init; }

    /// <summary>Gets the price the quote used, or <see langword="null"/>.</summary>
    internal ModelPrice? Price { get; init; }

    /// <summary>
    /// Quotes a run of <paramref name="modelCalls"/> calls like this one — an agent loop whose history grows each step —
    /// bounded by <paramref name="ceilings"/>.
    /// </summary>
    /// <param name="modelCalls">The steps of the run.</param>
    /// <param name="ceilings">The run's ceilings; its cost ceiling bounds the quote.</param>
    /// <param name="inputGrowthPerStep">The input each step adds to the next; <see langword="null"/> assumes each step
    /// re-sends the previous one's full output. Tool results add more: include them here.</param>
    /// <returns>The run's worst case.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modelCalls"/> is less than 1, or <paramref name="inputGrowthPerStep"/> is negative.</exception>
    public RunQuote ForRun(int modelCalls, BudgetLimits? ceilings = null, long? inputGrowthPerStep = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(modelCalls, 1);
        long growth = inputGrowthPerStep ?? MaximumOutputTokens;
        ArgumentOutOfRangeException.ThrowIfNegative(growth, nameof(inputGrowthPerStep));
        int steps = ceilings?.MaximumModelCalls is { } cap ? Math.Min(cap, modelCalls) : modelCalls;

        decimal? total = Price is null ? null : 0m;
        long input = InputTokens;
        for (int step = 0; step < steps && total is not null; step++)
        {
            total += Price!.GetWorstCaseCost(input, MaximumOutputTokens);
            input += growth;
        }

        bool bounded = total is { } t && ceilings?.MaximumCost is { } max && max < t;
        return new RunQuote
        {
            ModelCalls = steps,
            PerCallWorstCase = WorstCaseCost,
            WorstCaseCost = bounded ? ceilings!.MaximumCost : total,
            IsBoundedByCeiling = bounded,
        };
    }
}
