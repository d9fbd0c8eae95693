namespace AiCostGuard;

/// <summary>How a model call ended.</summary>
public enum CallOutcome
{
    /// <summary>The provider answered (a streamed response read to its end, or cut by the budget).</summary>
    Succeeded,

    /// <summary>The budget or attribution rules rejected the call before it was sent.</summary>
    NotSent,

    /// <summary>The provider or the network failed.</summary>
    Failed,

    /// <summary>The caller cancelled the call, or stopped reading the stream.</summary>
    Cancelled,
}
