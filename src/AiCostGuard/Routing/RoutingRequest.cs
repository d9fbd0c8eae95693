using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>A call as a <see cref="ModelRoute.Classifier"/> sees it, before it is routed.</summary>
public sealed class RoutingRequest
{
    internal RoutingRequest(string routeName, string? requestedModelId, IEnumerable<ChatMessage> messages, ChatOptions? options, CostAttribution attribution, ModelCapabilities needs, long inputTokens)
    {
        RouteName = routeName;
        RequestedModelId = requestedModelId;
        Messages = messages;
        Options = options;
        Attribution = attribution;
        Needs = needs;
        InputTokens = inputTokens;
    }

    /// <summary>Gets the name of the route that took the call.</summary>
    public string RouteName { get; }

    /// <summary>Gets the model the call asked for, or <see langword="null"/>.</summary>
    public string? RequestedModelId { get; }

    /// <summary>Gets the call's messages; read them, do not change them.</summary>
    public IEnumerable<ChatMessage> Messages { get; }

    /// <summary>Gets the call's options, or <see langword="null"/>; read them, do not change them.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets who the call is for.</summary>
    public CostAttribution Attribution { get; }

    /// <summary>Gets what the request uses beyond plain text.</summary>
    public ModelCapabilities Needs { get; }

    /// <summary>Gets the call's input tokens, as estimated for the route's first candidate.</summary>
    public long InputTokens { get; }
}
