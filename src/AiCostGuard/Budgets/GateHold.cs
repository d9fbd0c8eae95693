namespace AiCostGuard;

/// <summary>What an <see cref="ICallGate"/> holds for a call between admission and settlement, and what it found.</summary>
/// <param name="State">The gate's own record of what it reserved.</param>
/// <param name="ShadowBreach">In shadow mode, the refusal the gate would have made.</param>
/// <param name="ClampedOutput">The output the gate could pay when it could not pay the call's: the call is sent clamped to it.</param>
/// <param name="ClampKind">The ceiling that made the clamp necessary.</param>
/// <param name="ClampBudget">The budget whose ceiling made the clamp necessary.</param>
/// <param name="Tier">What the budget tiers the call's spend reached do to it; <see langword="null"/> when none is reached.</param>
/// <param name="DegradedTo">The cheaper model a tier sent the call to, which the gate reserved at.</param>
internal readonly record struct GateHold(object? State, Exception? ShadowBreach = null, long? ClampedOutput = null, BudgetLimitKind? ClampKind = null, string? ClampBudget = null, TierVerdict? Tier = null, ModelProfile? DegradedTo = null);
