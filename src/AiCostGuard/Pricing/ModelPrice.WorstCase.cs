namespace AiCostGuard;

/// <summary>The worst case of a call, which budgets reserve before it is sent, and what an amount left in a budget buys.</summary>
public sealed partial record ModelPrice
{
    /// <summary>
    /// Prices the worst case of a standard-tier call with at most <paramref name="inputTokens"/> input and
    /// <paramref name="outputTokens"/> output tokens: a true upper bound of <see cref="GetCostBreakdown"/> for any such usage.
    /// </summary>
    /// <param name="inputTokens">The most input tokens.</param>
    /// <param name="outputTokens">The most output tokens.</param>
    /// <returns>The cost in US dollars.</returns>
    /// <remarks>
    /// Every input token is priced at the dearest input-side rate (uncached, cache read, 5-minute or 1-hour cache write,
    /// audio, image) and every output token at the dearest output-side rate (output, reasoning, audio), at each
    /// long-context tier whose threshold <paramref name="inputTokens"/> is above and in every <see cref="Versions"/> entry,
    /// plus the <see cref="RequestFee"/>. The call's time is not known here, so all versions count.
    /// </remarks>
    public decimal GetWorstCaseCost(long inputTokens, long outputTokens) => GetWorstCaseCost(inputTokens, outputTokens, serviceTier: null);

    /// <summary>Prices the worst case of a call on <paramref name="serviceTier"/>; see <see cref="GetWorstCaseCost(long, long)"/>.</summary>
    /// <param name="inputTokens">The most input tokens.</param>
    /// <param name="outputTokens">The most output tokens.</param>
    /// <param name="serviceTier">The service tier the request names; <see langword="null"/> for the standard tier.</param>
    /// <returns>The cost in US dollars.</returns>
    public decimal GetWorstCaseCost(long inputTokens, long outputTokens, string? serviceTier)
    {
        decimal worst = WorstCaseOfThisVersion(inputTokens, outputTokens, serviceTier);
        if (Versions is { } versions)
        {
            for (int i = 0; i < versions.Count; i++)
            {
                worst = Math.Max(worst, versions[i].WorstCaseOfThisVersion(inputTokens, outputTokens, serviceTier));
            }
        }

        return worst;
    }

    /// <summary>
    /// Gets how many standard-tier output tokens <paramref name="amount"/> dollars buy, rounded down, at the dearest
    /// output-side rate a request of <paramref name="inputTokens"/> can be charged in any version: its long-context
    /// tier follows from its input, which is known before it is sent. A request on another service tier is reserved with the price
    /// <see cref="ForServiceTier"/> returns, whose standard rates are that tier's.
    /// </summary>
    internal long OutputTokensAffordable(decimal amount, long inputTokens) =>
        TryGetOutputTokensAffordableFixed(amount, inputTokens, out long tokens) ? tokens : OutputTokensAffordableInDecimal(amount, inputTokens);

    /// <summary><see cref="OutputTokensAffordable"/> with the decimal formula, which holds for every rate, tier and version.</summary>
    internal long OutputTokensAffordableInDecimal(decimal amount, long inputTokens)
    {
        decimal rate = WorstRatesAt(inputTokens, serviceTier: null).Output;
        if (Versions is { } versions)
        {
            for (int i = 0; i < versions.Count; i++)
            {
                rate = Math.Max(rate, versions[i].WorstRatesAt(inputTokens, serviceTier: null).Output);
            }
        }

        return amount <= 0 ? 0 : rate == 0 ? long.MaxValue : (long)Math.Min(long.MaxValue, decimal.Floor(amount * TokensPerUnit / rate));
    }

    private decimal WorstCaseOfThisVersion(long inputTokens, long outputTokens, string? serviceTier) =>
        TryGetWorstCaseFixed(inputTokens, outputTokens, serviceTier, out decimal cost) ? cost : WorstCaseOfThisVersionInDecimal(inputTokens, outputTokens, serviceTier);

    /// <summary>The worst case of this version with the decimal formula, which holds for every rate and tier.</summary>
    internal decimal WorstCaseOfThisVersionInDecimal(long inputTokens, long outputTokens, string? serviceTier)
    {
        (decimal input, decimal output) = WorstRatesAt(inputTokens, serviceTier);
        return (RequestFee ?? 0m) + (((inputTokens * input) + (outputTokens * output)) / TokensPerUnit);
    }

    /// <summary>The dearest input and output rates a request of <paramref name="inputTokens"/> can be charged: its long-context tier is known from its input.</summary>
    private (decimal Input, decimal Output) WorstRatesAt(long inputTokens, string? serviceTier)
    {
        TokenRates rates = Resolve(serviceTier, 0, out _, out _, out _);
        decimal input = MaximumInputRate(rates);
        decimal output = MaximumOutputRate(rates);
        IReadOnlyList<LongContextPrice>? longContext = TierPrice(serviceTier, out _)?.LongContextTiers ?? LongContextTiers;
        if (longContext is not null)
        {
            for (int i = 0; i < longContext.Count; i++)
            {
                if (inputTokens > longContext[i].AboveInputTokens)
                {
                    TokenRates above = rates.With(longContext[i]);
                    input = Math.Max(input, MaximumInputRate(above));
                    output = Math.Max(output, MaximumOutputRate(above));
                }
            }
        }

        return (input, output);
    }

    private decimal MaximumInputRate(in TokenRates rates) =>
        Math.Max(
            Math.Max(Math.Max(rates.Input, rates.CachedInput ?? 0m), Math.Max(rates.CacheWrite ?? 0m, rates.CacheWriteOneHour ?? 0m)),
            Math.Max(AudioInputPerMillion ?? 0m, ImageInputPerMillion ?? 0m));

    private decimal MaximumOutputRate(in TokenRates rates) =>
        Math.Max(Math.Max(rates.Output, rates.Reasoning ?? 0m), AudioOutputPerMillion ?? 0m);
}
