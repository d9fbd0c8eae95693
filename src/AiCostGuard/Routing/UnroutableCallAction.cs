namespace AiCostGuard;

/// <summary>What a <see cref="ModelRoute"/> does with a call it cannot place.</summary>
public enum UnroutableCallAction
{
    /// <summary>Fail the call, before it is sent, with a <see cref="ModelRoutingException"/> naming the route and why each candidate was passed over.</summary>
    Reject,

    /// <summary>Send the call to the model it asked for, and log a warning naming the route; a call that asked for no model is still rejected.</summary>
    UseRequestedModel,
}
