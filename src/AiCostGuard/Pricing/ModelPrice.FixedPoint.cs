namespace AiCostGuard;

/// <summary>
/// Exact integer pricing for the per-call path. Published rates are whole numbers of picodollars (10⁻¹² USD) per token
/// (a rate of $0.15 per million tokens is 150,000 pico-USD per token), so a call is priced with integer multiplications
/// and one exact conversion to <see cref="decimal"/> per part, instead of a decimal division per kind of token. The
/// result is the same amount the decimal formula gives; a rate finer than a picodollar per token, or an amount too large
/// for the integer range, is priced with the decimal formula.
/// </summary>
public sealed partial record ModelPrice
{
    private const long PicosPerDollar = 1_000_000_000_000;
    private const int PicoScale = 12;

    private static readonly UInt128[] PowersOfTen = BuildPowersOfTen();

    // Never null, so that record equality (which compares every field) does not depend on whether it was computed; its
    // Owner tells whether it belongs to this instance or was copied by a with-expression from another.
    private PicoRates _picoRates = PicoRates.NotComputed;

    /// <summary>The integer rates of this instance; <see langword="null"/> when one of them is not a whole number of picodollars.</summary>
    /// <remarks>A method, not a property: the configuration binder's generator binds every property it sees, private ones too.</remarks>
    private PicoRates? Pico()
    {
        PicoRates rates = _picoRates;
        if (!ReferenceEquals(rates.Owner, this))
        {
            // Immutable and recomputed identically by any thread that races here.
            rates = PicoRates.Create(this);
            _picoRates = rates;
        }

        return rates.IsExact ? rates : null;
    }

    /// <summary>Prices a standard-tier call below every long-context threshold without audio or image tokens, exactly in integers.</summary>
    private bool TryGetCostBreakdownFixed(in TokenUsage usage, long uncached, long plainOutput, string? serviceTier, out CostBreakdown breakdown)
    {
        breakdown = default;
        if (!TryGetChargeFixed(in usage, uncached, plainOutput, serviceTier, out PricedCost charge))
        {
            return false;
        }

        CostParts p = charge.Parts;
        breakdown = new CostBreakdown(p.UncachedInput, p.CachedInput, p.CacheWrite, p.Output, p.Reasoning, p.AudioAndImage, p.RequestFee, charge.ServiceTier, null, charge.Notes);
        return true;
    }

    /// <summary>
    /// Prices a standard-tier call below every long-context threshold without audio or image tokens, exactly in
    /// integers, as a charge: each part converted (a part that is zero costs no conversion) and the total converted
    /// once from the exact sum of the parts, rather than summed in decimals.
    /// </summary>
    private bool TryGetChargeFixed(in TokenUsage usage, long uncached, long plainOutput, string? serviceTier, out PricedCost charge)
    {
        charge = default;
        if (!TryGetPicoParts(in usage, uncached, plainOutput, serviceTier, out PicoParts parts)
            || !TryToDollars(parts.Uncached + parts.Cached + parts.CacheWrite + parts.Output + parts.Reasoning, out decimal cost)
            || !TryToDollars(parts.Uncached, out decimal uncachedCost)
            || !TryToDollars(parts.Cached, out decimal cachedCost)
            || !TryToDollars(parts.CacheWrite, out decimal writeCost)
            || !TryToDollars(parts.Output, out decimal outputCost)
            || !TryToDollars(parts.Reasoning, out decimal reasoningCost))
        {
            return false;
        }

        decimal fee = RequestFee ?? 0m;
        charge = new PricedCost(cost + fee, StandardTier, WithPoolNote(parts.Notes), new CostParts(uncachedCost, cachedCost, writeCost, outputCost, reasoningCost, 0m, fee));
        return true;
    }

    /// <summary>The parts of a standard-tier call in picodollars; false where the integer path does not apply.</summary>
    private bool TryGetPicoParts(in TokenUsage usage, long uncached, long plainOutput, string? serviceTier, out PicoParts parts)
    {
        parts = default;
        if (Pico() is not { } pico || !IsStandardTier(serviceTier) || usage.InputTokens > pico.LongContextFrom
            || usage.AudioInputTokens != 0 || usage.ImageInputTokens != 0 || usage.AudioOutputTokens != 0)
        {
            return false;
        }

        long cachedRate = pico.CachedInput >= 0 ? pico.CachedInput : pico.Input;
        long writeRate = pico.CacheWrite >= 0 ? pico.CacheWrite : pico.Input;
        long writeHourRate = pico.CacheWriteOneHour >= 0 ? pico.CacheWriteOneHour : writeRate;
        long reasoningRate = pico.Reasoning >= 0 ? pico.Reasoning : pico.Output;
        PricingNotes notes = PricingNotes.None;
        if (usage.CachedInputTokens > 0 && pico.CachedInput < 0)
        {
            notes |= PricingNotes.CachedInputAtInputRate;
        }

        if (usage.AllCacheWriteTokens > 0 && (usage.CacheWriteTokens > 0 ? pico.CacheWrite < 0 : pico.CacheWriteOneHour < 0 && pico.CacheWrite < 0))
        {
            notes |= PricingNotes.CacheWriteAtInputRate;
        }

        parts = new PicoParts(
            Times(uncached, pico.Input),
            Times(usage.CachedInputTokens, cachedRate),
            Times(usage.CacheWriteTokens, writeRate) + Times(usage.CacheWriteOneHourTokens, writeHourRate),
            Times(plainOutput, pico.Output),
            Times(usage.ReasoningTokens, reasoningRate),
            notes);
        return true;
    }

    /// <summary>The worst case of this version on the standard tier below every long-context threshold, exactly in integers.</summary>
    private bool TryGetWorstCaseFixed(long inputTokens, long outputTokens, string? serviceTier, out decimal cost)
    {
        cost = 0m;
        if (Pico() is not { } pico || !IsStandardTier(serviceTier) || inputTokens > pico.LongContextFrom
            || !TryToDollars(Times(inputTokens, pico.WorstInput) + Times(outputTokens, pico.WorstOutput), out cost))
        {
            return false;
        }

        if (RequestFee is { } fee)
        {
            cost += fee;
        }

        return true;
    }

    /// <summary>
    /// The worst case of <paramref name="inputTokens"/> input and no output in whole picodollars: exactly what
    /// <see cref="GetWorstCaseCost(long, long)"/> prices, in integers; negative where only the decimal formula applies
    /// (versions, a request fee, a long-context tier, a rate finer than a picodollar, more than 64 bits).
    /// </summary>
    internal long WorstInputPicos(long inputTokens)
    {
        if (Versions is { Count: > 0 } || RequestFee is not null || Pico() is not { } pico || inputTokens < 0 || inputTokens > pico.LongContextFrom)
        {
            return -1;
        }

        long high = Math.BigMul(inputTokens, pico.WorstInput, out long low);
        return high == 0 && low >= 0 ? low : -1;
    }

    /// <summary>
    /// How many output tokens <paramref name="amountPicos"/> picodollars buy: the same number as
    /// <see cref="OutputTokensAffordable(decimal, long)"/> for that amount, in integers; negative where the integer path
    /// does not apply (versions, a long-context tier, a rate finer than a picodollar).
    /// </summary>
    internal long OutputTokensAffordablePicos(long amountPicos, long inputTokens)
    {
        if (Versions is { Count: > 0 } || Pico() is not { } pico || inputTokens > pico.LongContextFrom)
        {
            return -1;
        }

        return pico.WorstOutput == 0 ? long.MaxValue : amountPicos <= 0 ? 0 : amountPicos / pico.WorstOutput;
    }

    /// <summary><paramref name="amount"/> in whole picodollars; negative when it is unset, negative, finer than a picodollar or beyond 64 bits of them.</summary>
    internal static long ExactPicos(decimal? amount)
    {
        if (amount is not { } dollars || dollars < 0m || dollars > long.MaxValue / PicosPerDollar)
        {
            return -1;
        }

        decimal picos = dollars * PicosPerDollar;
        return decimal.Truncate(picos) == picos ? (long)picos : -1;
    }

    /// <summary>How many output tokens <paramref name="amount"/> buys at the worst output rate, without versions or long-context tiers in play.</summary>
    private bool TryGetOutputTokensAffordableFixed(decimal amount, long inputTokens, out long tokens)
    {
        tokens = 0;
        if (Versions is { Count: > 0 } || Pico() is not { } pico || inputTokens > pico.LongContextFrom || !TryToPicos(amount, out UInt128 picos))
        {
            return false;
        }

        // A budget's amount fits in 64 bits of picodollars (up to $18 million): divide in 64 bits, not in software 128.
        UInt128 affordable = pico.WorstOutput == 0 ? long.MaxValue
            : picos <= ulong.MaxValue ? (ulong)picos / (ulong)pico.WorstOutput
            : picos / (ulong)pico.WorstOutput;
        tokens = affordable >= long.MaxValue ? long.MaxValue : (long)affordable;
        return true;
    }

    /// <summary>
    /// How many input tokens <paramref name="amount"/> buys at the uncached input rate, rounded down: the same number as
    /// <c>floor(amount × 10⁶ / InputPerMillion)</c>, in integers when the rates are whole picodollars.
    /// </summary>
    internal long InputTokensAffordable(decimal amount)
    {
        if (amount <= 0m)
        {
            return 0;
        }

        if (Pico() is { Input: > 0 } pico && TryToPicos(amount, out UInt128 picos))
        {
            UInt128 tokens = picos <= ulong.MaxValue ? (ulong)picos / (ulong)pico.Input : picos / (ulong)pico.Input;
            return tokens >= long.MaxValue ? long.MaxValue : (long)tokens;
        }

        return (long)Math.Min(long.MaxValue, decimal.Floor(amount * TokensPerUnit / InputPerMillion));
    }

    private static Int128 Times(long tokens, long picosPerToken) =>
        tokens == 0 ? Int128.Zero : (Int128)Math.BigMul(tokens, picosPerToken, out long low) << 64 | (Int128)(ulong)low;

    /// <summary>Converts picodollars to dollars exactly, with no trailing zeros; false when the amount is out of the 96-bit range of a decimal.</summary>
    private static bool TryToDollars(Int128 picos, out decimal dollars)
    {
        dollars = 0m;
        if (picos < 0 || picos >= (Int128.One << 96))
        {
            return false;
        }

        if (picos == 0)
        {
            return true;
        }

        byte scale = PicoScale;
        if (picos <= ulong.MaxValue)
        {
            // The usual case, in 64-bit arithmetic: dividing by a constant ten is a multiplication.
            var small = (ulong)picos;

            // Whole thousands first: rates are whole thousands of picodollars for most published prices.
            while (scale >= 3 && small % 1000 == 0)
            {
                small /= 1000;
                scale -= 3;
            }

            while (scale > 0 && small % 10 == 0)
            {
                small /= 10;
                scale--;
            }

            dollars = new decimal((int)(uint)small, (int)(uint)(small >> 32), 0, isNegative: false, scale);
            return true;
        }

        var value = (UInt128)picos;
        while (scale > 0 && value % 10 == 0)
        {
            value /= 10;
            scale--;
        }

        dollars = new decimal((int)(uint)value, (int)(uint)(value >> 32), (int)(uint)(value >> 64), isNegative: false, scale);
        return true;
    }

    /// <summary>Converts dollars to whole picodollars, rounded down; zero or less is zero; false above a billion dollars.</summary>
    private static bool TryToPicos(decimal dollars, out UInt128 picos)
    {
        picos = 0;
        if (dollars <= 0m)
        {
            return true;
        }

        if (dollars >= 1_000_000_000m)
        {
            return false;
        }

        (UInt128 mantissa, int scale) = Decompose(dollars);
        picos = scale <= PicoScale ? mantissa * PowersOfTen[PicoScale - scale] : mantissa / PowersOfTen[scale - PicoScale];
        return true;
    }

    /// <summary>The 96-bit integer and the power of ten a decimal is made of: <paramref name="value"/> = mantissa / 10^scale (sign aside).</summary>
    private static (UInt128 Mantissa, int Scale) Decompose(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return (((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0], (bits[3] >> 16) & 0xFF);
    }

    private static UInt128[] BuildPowersOfTen()
    {
        var powers = new UInt128[29];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }

    /// <summary>The standard-tier parts of a call in picodollars, and the notes on the rates they were priced at.</summary>
    private readonly record struct PicoParts(Int128 Uncached, Int128 Cached, Int128 CacheWrite, Int128 Output, Int128 Reasoning, PricingNotes Notes);

    /// <summary>The standard rates of one price in whole picodollars per token; -1 where the price leaves a rate unset.</summary>
    private sealed class PicoRates
    {
        public static readonly PicoRates NotComputed = new(null);

        private PicoRates(ModelPrice? owner) => Owner = owner;

        public ModelPrice? Owner { get; }

        /// <summary>Whether every rate is a whole number of picodollars; the integer path is used only then.</summary>
        public bool IsExact { get; private init; }

        public long Input { get; private init; }

        public long CachedInput { get; private init; }

        public long CacheWrite { get; private init; }

        public long CacheWriteOneHour { get; private init; }

        public long Output { get; private init; }

        public long Reasoning { get; private init; }

        /// <summary>The dearest input-side rate: uncached, cache read or write, audio or image.</summary>
        public long WorstInput { get; private init; }

        /// <summary>The dearest output-side rate: output, reasoning or audio.</summary>
        public long WorstOutput { get; private init; }

        /// <summary>The lowest long-context threshold: a request with at most this many input tokens has the standard rates.</summary>
        public long LongContextFrom { get; private init; }

        public static PicoRates Create(ModelPrice price)
        {
            bool exact = true;
            long Rate(decimal? perMillion)
            {
                if (perMillion is not { } rate)
                {
                    return -1;
                }

                // Per million tokens to per token, dollars to picodollars: times 10^6, exact only when the rate has at
                // most six decimal places once trailing zeros are dropped.
                (UInt128 mantissa, int scale) = Decompose(rate);
                UInt128 picos = scale <= 6 ? mantissa * PowersOfTen[6 - scale] : mantissa / PowersOfTen[scale - 6];
                if (rate < 0 || (scale > 6 && mantissa % PowersOfTen[scale - 6] != 0) || picos > PicosPerDollar)
                {
                    exact = false;
                    return -1;
                }

                return (long)picos;
            }

            long input = Rate(price.InputPerMillion);
            long cached = Rate(price.CachedInputPerMillion);
            long write = Rate(price.CacheWritePerMillion);
            long writeHour = Rate(price.CacheWriteOneHourPerMillion);
            long output = Rate(price.OutputPerMillion);
            long reasoning = Rate(price.ReasoningPerMillion);
            long worstInput = Math.Max(Math.Max(Math.Max(input, cached), Math.Max(write, writeHour)), Math.Max(Rate(price.AudioInputPerMillion), Rate(price.ImageInputPerMillion)));
            long worstOutput = Math.Max(Math.Max(output, reasoning), Rate(price.AudioOutputPerMillion));
            long longContextFrom = long.MaxValue;
            if (price.LongContextTiers is { } tiers)
            {
                for (int i = 0; i < tiers.Count; i++)
                {
                    longContextFrom = Math.Min(longContextFrom, tiers[i].AboveInputTokens);
                }
            }

            return new PicoRates(price)
            {
                IsExact = exact,
                Input = input,
                CachedInput = cached,
                CacheWrite = write,
                CacheWriteOneHour = writeHour,
                Output = output,
                Reasoning = reasoning,
                WorstInput = worstInput,
                WorstOutput = worstOutput,
                LongContextFrom = longContextFrom,
            };
        }

        /// <summary>Cached rates are not part of a price's value: every instance equals every other.</summary>
        public override bool Equals(object? obj) => obj is PicoRates;

        /// <inheritdoc/>
        public override int GetHashCode() => 0;
    }
}
