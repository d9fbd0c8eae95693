namespace AiCostGuard.PostgreSql;

/// <summary>One record waiting to be written, with the id that makes its write idempotent: it keeps that id across retries.</summary>
internal readonly record struct LedgerRow(Guid Id, CostRecord Call, OutcomeRecord Outcome, bool IsOutcome);
