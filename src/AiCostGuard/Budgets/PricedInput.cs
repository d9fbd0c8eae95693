namespace AiCostGuard;

/// <summary>A call's input tokens and, priced once on first use, their worst-case cost: most calls meet no cost ceiling.</summary>
internal struct PricedInput(long tokens, ModelPrice? price)
{
    private const long NotPriced = long.MinValue;

    private decimal? _cost;
    private long _picos = NotPriced;

    public readonly long Tokens => tokens;

    public readonly ModelPrice? Price => price;

    public decimal Cost => _cost ??= price?.GetWorstCaseCost(tokens, 0) ?? 0m;

    /// <summary>The same worst case in whole picodollars; negative where only the decimal formula prices it.</summary>
    public long Picos => _picos != NotPriced ? _picos : _picos = price?.WorstInputPicos(tokens) ?? -1;
}
