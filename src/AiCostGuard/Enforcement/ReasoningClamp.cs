using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// The clamp rule for models that reason: their reasoning tokens are output, billed and counted against
/// <c>MaxOutputTokens</c>, so a clamp that leaves little room can be spent on reasoning alone and answer nothing.
/// A clamped call to such a model is sent with its reasoning effort lowered first, and is never clamped below a floor
/// of output: below it the call is refused.
/// </summary>
/// <remarks>Whether a model reasons is the catalog's <see cref="ModelPrice.SupportsReasoning"/>. Thread-safe: it holds configuration only.</remarks>
internal sealed class ReasoningClamp(int minimumOutput, ReasoningEffort effort)
{
    /// <summary>Whether <paramref name="profile"/>'s model reasons, by its catalog entry.</summary>
    public static bool Reasons(ModelProfile profile) => profile.Price?.SupportsReasoning == true;

    /// <summary>The fewest output tokens a clamp may leave a call to <paramref name="profile"/>: the floor for a model that reasons, else <paramref name="minimumClamped"/>.</summary>
    public int MinimumOutput(ModelProfile profile, int minimumClamped) => Reasons(profile) ? Math.Max(minimumOutput, minimumClamped) : minimumClamped;

    /// <summary>Lowers the effort of <paramref name="sent"/>, a clamped call to <paramref name="profile"/>, when the model reasons and the call asks for more (or for no level).</summary>
    public void Lower(ChatOptions sent, ModelProfile profile)
    {
        if (Reasons(profile) && ReasoningEfforts.Exceeds(sent, modelReasons: true, effort))
        {
            ReasoningEfforts.Cap(sent, effort);
        }
    }
}
