namespace AiCostGuard;

/// <summary>
/// Sees every record before it is written to the ledger — telemetry puts it on spans and metrics and stamps it with
/// the trace it was reported on. The ledger knows nothing of its observers; the pipeline that records calls does.
/// </summary>
internal interface ICostRecordObserver
{
    /// <summary>Observes <paramref name="record"/>, charged to <paramref name="scope"/>; may stamp it (by reference: it is large, and this runs once per call).</summary>
    void Observe(ref CostRecord record, BudgetScope? scope);
}
