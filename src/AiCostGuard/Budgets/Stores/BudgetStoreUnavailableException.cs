namespace AiCostGuard;

/// <summary>
/// Thrown before a model call is sent when the shared budget store cannot be reached and its policy is to fail
/// closed: the call is not sent, because its budget cannot be checked.
/// </summary>
public sealed class BudgetStoreUnavailableException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public BudgetStoreUnavailableException()
        : this("The budget store is unavailable.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What happened.</param>
    public BudgetStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">Why the store could not be reached.</param>
    public BudgetStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
