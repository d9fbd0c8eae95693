namespace AiCostGuard;

/// <summary>Thrown before a call is sent when its <see cref="ModelRoute"/> cannot place it and <see cref="UnroutableCallAction.Reject"/> is in force.</summary>
public sealed class ModelRoutingException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="routeName">The route that took the call.</param>
    /// <param name="requestedModelId">The model the call asked for, or <see langword="null"/>.</param>
    /// <param name="message">Why the call could not be placed.</param>
    /// <param name="candidates">What each candidate would have cost and why it was passed over.</param>
    /// <param name="innerException">The classifier's exception, when it threw.</param>
    public ModelRoutingException(string routeName, string? requestedModelId, string message, IReadOnlyList<CandidateQuote> candidates, Exception? innerException = null)
        : base(message, innerException)
    {
        RouteName = routeName;
        RequestedModelId = requestedModelId;
        Candidates = candidates;
    }

    /// <summary>Gets the name of the route that took the call.</summary>
    public string RouteName { get; }

    /// <summary>Gets the model the call asked for, or <see langword="null"/>.</summary>
    public string? RequestedModelId { get; }

    /// <summary>Gets what each candidate would have cost at worst and why it was passed over; empty when the classifier failed before any was weighed.</summary>
    public IReadOnlyList<CandidateQuote> Candidates { get; }
}
