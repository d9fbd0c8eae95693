namespace AiCostGuard;

/// <summary>
/// The ledger's record of a business outcome reached (or missed) by a run: a ticket resolved, a document summarized.
/// Reports divide a run's cost by its successful outcomes to show cost per outcome, not only totals.
/// </summary>
public readonly record struct OutcomeRecord
{
    /// <summary>Gets when the outcome was recorded.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets who and why the run is booked to: the ambient attribution when the outcome was recorded.</summary>
    public CostAttribution Attribution { get; init; }

    /// <summary>Gets the name of the run (<see cref="BudgetScope.Name"/>) the outcome belongs to.</summary>
    public string? ScopeName { get; init; }

    /// <summary>Gets the <see cref="BudgetScope.Id"/> of the run; it joins the outcome to the calls charged to the run.</summary>
    public string? ScopeId { get; init; }

    /// <summary>Gets the outcome's name, such as <c>ticket-resolved</c>; validated like an attribution value.</summary>
    public string Name { get; init; }

    /// <summary>Gets whether the run reached the outcome.</summary>
    public bool IsSuccess { get; init; }

    /// <summary>Gets the business value of the outcome in US dollars, when known.</summary>
    public decimal? Value { get; init; }
}
