namespace AiCostGuard.PostgreSql;

/// <summary>The table of the ledger a record is stored in.</summary>
internal enum LedgerTable
{
    /// <summary><c>{schema}.calls</c>.</summary>
    Calls,

    /// <summary><c>{schema}.outcomes</c>.</summary>
    Outcomes,

    /// <summary><c>{schema}.envelope_steps</c>.</summary>
    EnvelopeSteps,
}
