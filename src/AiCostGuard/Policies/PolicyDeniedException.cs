namespace AiCostGuard;

/// <summary>Thrown before a model call is sent when a <see cref="ModelPolicy"/> denies it; the call is recorded as <see cref="BudgetDecision.Denied"/>.</summary>
public sealed class PolicyDeniedException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="policyName">The policy that denied the call: a <see cref="ModelPolicy.Name"/>, or <c>default</c> under <see cref="PolicyDefault.Deny"/>.</param>
    /// <param name="modelId">The model the call asked for.</param>
    /// <param name="message">Why the call was denied.</param>
    /// <param name="retryAt">When a call rate lets the next call through; <see langword="null"/> when waiting does not help.</param>
    public PolicyDeniedException(string policyName, string? modelId, string message, DateTimeOffset? retryAt = null)
        : base(message)
    {
        PolicyName = policyName;
        ModelId = modelId;
        RetryAt = retryAt;
    }

    /// <summary>Gets the policy that denied the call.</summary>
    public string PolicyName { get; }

    /// <summary>Gets the model the call asked for, or <see langword="null"/> when it named none.</summary>
    public string? ModelId { get; }

    /// <summary>Gets when the policy's call rate lets the next call of the same key through; <see langword="null"/> when the denial does not pass with time.</summary>
    public DateTimeOffset? RetryAt { get; }
}
