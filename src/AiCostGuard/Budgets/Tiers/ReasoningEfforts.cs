using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>The order of <see cref="ReasoningEffort"/> levels, and the one rule for lowering a call's effort.</summary>
internal static class ReasoningEfforts
{
    /// <summary>The rank of <paramref name="effort"/>, from none to extra high.</summary>
    public static int Rank(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.None => 0,
        ReasoningEffort.Low => 1,
        ReasoningEffort.Medium => 2,
        ReasoningEffort.High => 3,
        ReasoningEffort.ExtraHigh => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(effort), effort, "Not a reasoning effort."),
    };

    /// <summary>The lower of two efforts.</summary>
    public static ReasoningEffort Lower(ReasoningEffort a, ReasoningEffort b) => Rank(a) <= Rank(b) ? a : b;

    /// <summary>
    /// Whether <paramref name="options"/> would be sent with more reasoning than <paramref name="cap"/>: it asks for more,
    /// or it asks for no level and the model reasons (its provider then picks a level, medium for OpenAI's models).
    /// A request to a model that does not reason and asks for no level is left alone: some providers refuse the setting.
    /// </summary>
    public static bool Exceeds(ChatOptions? options, bool modelReasons, ReasoningEffort cap) =>
        options?.Reasoning?.Effort is { } asked ? Rank(asked) > Rank(cap) : modelReasons;

    /// <summary>Sets <paramref name="sent"/>'s effort to <paramref name="cap"/>, keeping its other reasoning options.</summary>
    public static void Cap(ChatOptions sent, ReasoningEffort cap)
    {
        // A new instance: the caller's options may share theirs with other requests.
        sent.Reasoning = new ReasoningOptions { Effort = cap, Output = sent.Reasoning?.Output };
    }
}
