namespace AiCostGuard;

/// <summary>
/// The set of token rates of a price — input, cache read, 5-minute and 1-hour cache write, output, reasoning — as one
/// value: what a service tier or a long-context tier overrides, and what a call is charged at. The one place that
/// lists them, so a new billed token kind is added here and in <see cref="RateOverrides"/>.
/// </summary>
/// <remarks><see langword="null"/> where a stand-in applies (cache reads at the input rate, reasoning at the output rate).</remarks>
internal readonly record struct TokenRates(decimal Input, decimal? CachedInput, decimal? CacheWrite, decimal? CacheWriteOneHour, decimal Output, decimal? Reasoning)
{
    /// <summary>The standard rates of <paramref name="price"/>.</summary>
    public static TokenRates Of(ModelPrice price) =>
        new(price.InputPerMillion, price.CachedInputPerMillion, price.CacheWritePerMillion, price.CacheWriteOneHourPerMillion, price.OutputPerMillion, price.ReasoningPerMillion);

    /// <summary>These rates with what <paramref name="overrides"/> sets in their place.</summary>
    public TokenRates With(RateOverrides overrides) => new(
        overrides.InputPerMillion ?? Input,
        overrides.CachedInputPerMillion ?? CachedInput,
        overrides.CacheWritePerMillion ?? CacheWrite,
        overrides.CacheWriteOneHourPerMillion ?? CacheWriteOneHour,
        overrides.OutputPerMillion ?? Output,
        overrides.ReasoningPerMillion ?? Reasoning);

    /// <summary>A copy of <paramref name="price"/> whose standard rates are these.</summary>
    public ModelPrice ApplyTo(ModelPrice price) => price with
    {
        InputPerMillion = Input,
        CachedInputPerMillion = CachedInput,
        CacheWritePerMillion = CacheWrite,
        CacheWriteOneHourPerMillion = CacheWriteOneHour,
        OutputPerMillion = Output,
        ReasoningPerMillion = Reasoning,
    };
}
