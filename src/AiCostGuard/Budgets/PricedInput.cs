namespace AiCostGuard;

/// <summary>A call's input tokens and, priced once on first use, their worst-case cost: most calls meet no cost ceiling.</summary>
internal struct PricedInput(long tokens, ModelPrice? price)
{
    private decimal? _cost;

    public readonly long Tokens => tokens;

    public readonly ModelPrice? Price => price;

    public decimal Cost => _cost ??= price?.GetWorstCaseCost(tokens, 0) ?? 0m;
}
