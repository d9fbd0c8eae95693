namespace AiCostGuard;

/// <summary>
/// Thrown before a model call is sent when a ledger sink configured fail-closed cannot write: the call is refused
/// rather than made without a durable record.
/// </summary>
public sealed class CostLedgerUnavailableException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public CostLedgerUnavailableException()
        : base("The cost ledger cannot write records; calls are refused until it can.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public CostLedgerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the write failure behind it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The write failure.</param>
    public CostLedgerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
