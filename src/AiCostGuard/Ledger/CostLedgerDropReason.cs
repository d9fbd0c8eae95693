namespace AiCostGuard;

/// <summary>Why a ledger sink dropped records instead of writing them.</summary>
public enum CostLedgerDropReason
{
    /// <summary>The queue to the background writer was full and the sink is configured not to wait for room.</summary>
    QueueFull,

    /// <summary>The sink could not write, and the records kept for a retry exceeded what it may keep; the oldest were dropped.</summary>
    RetryBufferFull,

    /// <summary>The sink was closed with records it could not write, or was given a record after it was closed.</summary>
    Shutdown,
}
