namespace AiCostGuard;

/// <summary>Describes records a ledger sink dropped: raised by <see cref="JsonLinesCostLedger.RecordsDropped"/>.</summary>
public sealed class CostLedgerDroppedEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="count">How many records were dropped.</param>
    /// <param name="reason">Why.</param>
    /// <param name="failure">The write failure behind the loss, when there is one.</param>
    public CostLedgerDroppedEventArgs(int count, CostLedgerDropReason reason, Exception? failure)
    {
        Count = count;
        Reason = reason;
        Failure = failure;
    }

    /// <summary>Gets how many records were dropped.</summary>
    public int Count { get; }

    /// <summary>Gets why they were dropped.</summary>
    public CostLedgerDropReason Reason { get; }

    /// <summary>Gets the write failure behind the loss, or <see langword="null"/> when the queue was full or the sink closed while healthy.</summary>
    public Exception? Failure { get; }
}
