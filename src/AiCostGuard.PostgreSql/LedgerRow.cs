namespace AiCostGuard.PostgreSql;

/// <summary>One record waiting to be written, with the id that makes its write idempotent: it keeps that id across retries.</summary>
/// <remarks>A call, an outcome (<paramref name="IsOutcome"/>) or, when <paramref name="Step"/> is set, a move of an adaptive envelope.</remarks>
internal readonly record struct LedgerRow(Guid Id, CostRecord Call, OutcomeRecord Outcome, bool IsOutcome, EnvelopeStep? Step = null)
{
    /// <summary>Gets the table the row goes to.</summary>
    public LedgerTable Table => Step is not null ? LedgerTable.EnvelopeSteps : IsOutcome ? LedgerTable.Outcomes : LedgerTable.Calls;
}
