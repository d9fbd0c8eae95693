namespace AiCostGuard;

/// <summary>The degrade ladder (<see cref="CostGovernanceOptions.DegradeModels"/>) as budget tiers walk it: one step at a time, to a cheaper priced model.</summary>
internal sealed class DegradeLadder(ModelResolver models, IEnumerable<string> ladder)
{
    private readonly string[] _ladder = [.. ladder];

    /// <summary>
    /// The first model of the ladder after <paramref name="current"/>'s place (from the top when it is not on the
    /// ladder) that is priced and whose worst case for <paramref name="inputTokens"/> and <paramref name="outputTokens"/>
    /// is not dearer; <see langword="null"/> at the bottom.
    /// </summary>
    public ModelProfile? Below(string? current, ModelPrice? price, long inputTokens, long outputTokens)
    {
        int at = -1;
        for (int i = 0; current is not null && i < _ladder.Length; i++)
        {
            if (string.Equals(_ladder[i], current, StringComparison.OrdinalIgnoreCase))
            {
                at = i;
                break;
            }
        }

        decimal? ceiling = price?.GetWorstCaseCost(inputTokens, outputTokens);
        for (int i = at + 1; i < _ladder.Length; i++)
        {
            ModelProfile cheaper = models.Resolve(_ladder[i]);
            if (cheaper.Price is { } p && (ceiling is not { } c || p.GetWorstCaseCost(inputTokens, outputTokens) <= c))
            {
                return cheaper;
            }
        }

        return null;
    }
}
