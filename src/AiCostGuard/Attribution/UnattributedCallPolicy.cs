namespace AiCostGuard;

/// <summary>What happens to a model call that lacks a required attribution dimension.</summary>
public enum UnattributedCallPolicy
{
    /// <summary>The call is rejected with <see cref="MissingAttributionException"/> before it is sent.</summary>
    Reject,

    /// <summary>
    /// Lenient mode: the call goes on and each missing dimension is booked as <see cref="CostAttribution.Unattributed"/>,
    /// an explicit bucket that reports show, never silently dropped.
    /// </summary>
    BookAsUnattributed,
}
