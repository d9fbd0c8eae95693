namespace AiCostGuard;

/// <summary>What a call asks of the gates after its scopes admitted it: who it is for, its input and output, how to price them, and whether it may be clamped.</summary>
internal readonly record struct GateDemand(CostAttribution Attribution, string? ModelId, long InputTokens, long OutputTokens, ModelPrice? Price, bool MayClamp, int MinimumClampedOutput)
{
    /// <summary>The worst case of the call with <paramref name="outputTokens"/> of output.</summary>
    public BudgetUsage WorstCase(long outputTokens) => new(InputTokens, outputTokens, Price?.GetWorstCaseCost(InputTokens, outputTokens) ?? 0m);
}
