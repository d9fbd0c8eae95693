namespace AiCostGuard;

/// <summary>One row of a <see cref="FocusExport"/>: what a call paid for one kind of token, or for something priced per request.</summary>
/// <param name="Kind">The kind in the price id: <c>input</c>, <c>cached-input</c>, <c>cache-write</c>, <c>output</c>, <c>reasoning</c>, <c>audio-image</c>, <c>request-fee</c>, <c>unitemized</c> or <c>call</c>.</param>
/// <param name="Meter">The <c>SkuMeter</c>, e.g. <c>Input Tokens</c>.</param>
/// <param name="Unit">The <c>ConsumedUnit</c>: <c>Tokens</c> or <c>Requests</c>.</param>
/// <param name="Quantity">The <c>ConsumedQuantity</c>.</param>
/// <param name="Cost">The charge in US dollars.</param>
/// <param name="UnitPrice">The rate per million tokens, when the charge is tokens at one rate; <see langword="null"/> when it is priced per request.</param>
internal readonly record struct FocusCharge(string Kind, string Meter, string Unit, long Quantity, decimal Cost, decimal? UnitPrice)
{
    /// <summary>The kind of the one row of a call priced as a whole.</summary>
    public const string WholeCall = "call";

    private const decimal TokensPerMillion = 1_000_000m;

    /// <summary>Replaces the contents of <paramref name="charges"/> with the charges of <paramref name="call"/>, which add up to exactly its cost.</summary>
    public static void Itemize(in CostRecord call, List<FocusCharge> charges)
    {
        charges.Clear();
        if (call.CostParts is not { } parts)
        {
            charges.Add(PerRequest(WholeCall, "Tokens", call.Cost) with { Unit = "Tokens", Quantity = call.InputTokens + call.OutputTokens });
            return;
        }

        long cacheWrite = Math.Max(0, call.CacheWriteTokens);
        long uncached = Math.Max(0, call.InputTokens - call.CachedInputTokens - cacheWrite);
        Tokens(charges, "input", "Input Tokens", uncached, parts.UncachedInput);
        Tokens(charges, "cached-input", "Cached Input Tokens", call.CachedInputTokens, parts.CachedInput);
        Tokens(charges, "cache-write", "Cache Write Tokens", cacheWrite, parts.CacheWrite);
        Tokens(charges, "output", "Output Tokens", Math.Max(0, call.OutputTokens - call.ReasoningTokens), parts.Output);
        Tokens(charges, "reasoning", "Reasoning Tokens", call.ReasoningTokens, parts.Reasoning);
        if (parts.AudioAndImage != 0m)
        {
            charges.Add(PerRequest("audio-image", "Audio and Image Tokens", parts.AudioAndImage));
        }

        if (parts.RequestFee != 0m)
        {
            charges.Add(PerRequest("request-fee", "Request Fee", parts.RequestFee));
        }

        decimal rest = call.Cost - parts.Total;
        if (rest != 0m || charges.Count == 0)
        {
            // The rows of a call always add up to its billed cost, and a sent call always has a row.
            charges.Add(PerRequest("unitemized", "Unitemized", rest));
        }
    }

    private static void Tokens(List<FocusCharge> charges, string kind, string meter, long tokens, decimal cost)
    {
        if (tokens <= 0)
        {
            if (cost != 0m)
            {
                charges.Add(PerRequest(kind, meter, cost));
            }

            return;
        }

        // The rate applied, per million tokens; a part that is no single rate (5-minute and 1-hour cache writes) is priced per request.
        decimal quantity = tokens / TokensPerMillion;
        decimal rate = cost / quantity;
        charges.Add(rate * quantity == cost
            ? new FocusCharge(kind, meter, "Tokens", tokens, cost, rate)
            : new FocusCharge(kind, meter, "Tokens", tokens, cost, null));
    }

    private static FocusCharge PerRequest(string kind, string meter, decimal cost) => new(kind, meter, "Requests", 1, cost, null);
}
