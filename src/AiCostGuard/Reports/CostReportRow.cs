namespace AiCostGuard;

/// <summary>One group of a <see cref="CostReport"/>: its cost, runs and outcomes, and the unit costs derived from them.</summary>
/// <param name="Key">The group's value for each dimension grouped by, in the order of <see cref="CostReport.Columns"/>; <c>-</c> for an unset value.</param>
/// <param name="Calls">The model calls sent (refused calls are not counted).</param>
/// <param name="InputTokens">All input tokens.</param>
/// <param name="OutputTokens">All output tokens.</param>
/// <param name="Cost">The cost in US dollars.</param>
/// <param name="Runs">The distinct runs (<see cref="BudgetScope"/>s) the calls were charged to.</param>
/// <param name="RunCost">The cost of the calls charged to a run.</param>
/// <param name="Successes">The successful outcomes recorded against those runs.</param>
/// <param name="OutcomeValue">The value of those successful outcomes, in US dollars.</param>
public sealed record CostReportRow(
    IReadOnlyList<string> Key,
    long Calls,
    long InputTokens,
    long OutputTokens,
    decimal Cost,
    int Runs,
    decimal RunCost,
    int Successes,
    decimal OutcomeValue)
{
    /// <summary>Gets what the calls a response cache answered would have cost (their <see cref="CostRecord.AvoidedCost"/>); they are counted in <see cref="Calls"/> at $0.</summary>
    public decimal CacheSavings { get; init; }

    /// <summary>Gets the cost per run: <see cref="RunCost"/> / <see cref="Runs"/>, or <see langword="null"/> without runs.</summary>
    public decimal? CostPerRun => Runs == 0 ? null : decimal.Round(RunCost / Runs, 6);

    /// <summary>Gets the cost per successful outcome: <see cref="RunCost"/> / <see cref="Successes"/>, or <see langword="null"/> without success.</summary>
    public decimal? CostPerSuccess => Successes == 0 ? null : decimal.Round(RunCost / Successes, 6);
}
