namespace AiCostGuard.PostgreSql;

/// <summary>Whether a writer's count of handed-over records is final.</summary>
public enum LedgerWriterState
{
    /// <summary>No final count: the writer is still running, or it was killed without a hand-off journal; its last records may still be queued, or lost uncounted.</summary>
    Running,

    /// <summary>The writer was disposed and stored its final count: every record missing is lost.</summary>
    Closed,

    /// <summary>The writer was killed and its final count was recovered from its hand-off journal: every record missing is lost.</summary>
    Killed,
}
