namespace AiCostGuard;

/// <summary>
/// Sees every <see cref="BudgetScope"/> begin and end, on the flow that begins and ends it — telemetry opens the run's
/// span here. Budgets know only this interface; the observer attaches itself.
/// </summary>
internal interface IBudgetScopeObserver
{
    /// <summary>Called when <paramref name="scope"/> has become ambient; returns state handed back to <see cref="Ended"/>.</summary>
    object? Began(BudgetScope scope);

    /// <summary>Called when <paramref name="scope"/> has ended, with what <see cref="Began"/> returned.</summary>
    void Ended(BudgetScope scope, object? state);
}
