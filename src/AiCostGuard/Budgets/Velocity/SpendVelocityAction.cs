namespace AiCostGuard;

/// <summary>What happens to a call when the spend rate of its key is above a <see cref="SpendVelocityRule"/>'s threshold.</summary>
public enum SpendVelocityAction
{
    /// <summary>The call proceeds; <see cref="CostGovernanceChatClient.SpendVelocityExceeded"/> is raised and a warning logged.</summary>
    Alert,

    /// <summary>
    /// The call waits until enough spend has left the window for the rate to be back at the threshold, at most
    /// <see cref="SpendVelocityRule.MaximumThrottleWait"/>, then proceeds; when a longer wait would be needed, or the
    /// rate is still above after waiting, it is rejected with <see cref="SpendVelocityExceededException"/>.
    /// </summary>
    Throttle,

    /// <summary>The call is rejected with <see cref="SpendVelocityExceededException"/> before it is sent.</summary>
    Block,
}
