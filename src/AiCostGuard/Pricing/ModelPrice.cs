using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// The published prices of one model, in US dollars per million tokens, and the limits the pricing needs.
/// </summary>
/// <remarks>
/// <para>
/// Pricing follows the Microsoft.Extensions.AI usage convention (see <see cref="TokenUsage"/>): each input token is priced
/// once, as a cache read, a 5-minute or 1-hour cache write, audio or image input, or else uncached input; each output token
/// once, as reasoning, audio output, or else output. A rate the model does not publish stands in as documented on each
/// property, and the stand-in is reported in <see cref="CostBreakdown.Notes"/> — never as zero.
/// </para>
/// <para>
/// On top of the standard rates: <see cref="LongContextTiers"/> (input above a threshold moves the whole request to higher
/// rates), service tiers (<see cref="Flex"/>, <see cref="Priority"/>, <see cref="Batch"/>; an unpriced tier is priced
/// standard and flagged), a <see cref="RequestFee"/>, and <see cref="Versions"/> effective from a date.
/// </para>
/// <para>Instances are immutable once published in a <see cref="PriceCatalog"/>; bind them from configuration with object initializers. All members are thread-safe.</para>
/// </remarks>
public sealed partial record ModelPrice
{
    private const decimal TokensPerUnit = 1_000_000m;

    /// <summary>Gets the provider, such as <c>openai</c> or <c>anthropic</c>; it picks the token estimator.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the price of one million uncached input tokens.</summary>
    [DecimalRange("0", "1000000")]
    public decimal InputPerMillion { get; init; }

    /// <summary>Gets the price of one million input tokens read from the prompt cache.</summary>
    /// <value>The default, <see langword="null"/>, prices cached tokens at <see cref="InputPerMillion"/> and notes them <see cref="PricingNotes.CachedInputAtInputRate"/>.</value>
    [DecimalRange("0", "1000000")]
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the price of one million input tokens written to a 5-minute prompt cache (Anthropic: 1.25× input).</summary>
    /// <value>The default, <see langword="null"/>, prices cache writes at <see cref="InputPerMillion"/> and notes them <see cref="PricingNotes.CacheWriteAtInputRate"/>.</value>
    [DecimalRange("0", "1000000")]
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Gets the price of one million input tokens written to a 1-hour prompt cache (Anthropic: 2× input).</summary>
    /// <value>The default, <see langword="null"/>, uses <see cref="CacheWritePerMillion"/> (then the input rate, flagged).</value>
    [DecimalRange("0", "1000000")]
    public decimal? CacheWriteOneHourPerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens, reasoning tokens included unless <see cref="ReasoningPerMillion"/> is set.</summary>
    [DecimalRange("0", "1000000")]
    public decimal OutputPerMillion { get; init; }

    /// <summary>Gets the price of one million reasoning tokens, where a provider prices them apart from output.</summary>
    /// <value>The default, <see langword="null"/>, prices reasoning at the output rate (they are output tokens).</value>
    [DecimalRange("0", "1000000")]
    public decimal? ReasoningPerMillion { get; init; }

    /// <summary>Gets the price of one million audio input tokens.</summary>
    /// <value>The default, <see langword="null"/>, prices audio input at the input rate.</value>
    [DecimalRange("0", "1000000")]
    public decimal? AudioInputPerMillion { get; init; }

    /// <summary>Gets the price of one million audio output tokens.</summary>
    /// <value>The default, <see langword="null"/>, prices audio output at the output rate.</value>
    [DecimalRange("0", "1000000")]
    public decimal? AudioOutputPerMillion { get; init; }

    /// <summary>Gets the price of one million image input tokens, where a provider prices them apart from text.</summary>
    /// <value>The default, <see langword="null"/>, prices image input at the input rate.</value>
    [DecimalRange("0", "1000000")]
    public decimal? ImageInputPerMillion { get; init; }

    /// <summary>Gets the fixed fee of one request, in US dollars, charged whatever its tokens.</summary>
    /// <value>The default, <see langword="null"/>, is no fee.</value>
    [DecimalRange("0", "1000000")]
    public decimal? RequestFee { get; init; }

    /// <summary>Gets the long-context tiers: above each threshold the whole request is priced at that tier's rates; the highest threshold passed wins.</summary>
    /// <value>The default, <see langword="null"/>, has one rate whatever the input length.</value>
    public IReadOnlyList<LongContextPrice>? LongContextTiers { get; init; }

    /// <summary>Gets the rates of the flex service tier (slower, cheaper).</summary>
    /// <value>The default, <see langword="null"/>, prices flex calls at the standard rates, flagged <see cref="PricingNotes.ServiceTierFallback"/>.</value>
    public ServiceTierPrice? Flex { get; init; }

    /// <summary>Gets the rates of the priority service tier.</summary>
    /// <value>The default, <see langword="null"/>, prices priority calls at the standard rates, flagged <see cref="PricingNotes.ServiceTierFallback"/>.</value>
    public ServiceTierPrice? Priority { get; init; }

    /// <summary>Gets the rates of the batch service tier.</summary>
    /// <value>The default, <see langword="null"/>, prices batch calls at the standard rates, flagged <see cref="PricingNotes.ServiceTierFallback"/>.</value>
    public ServiceTierPrice? Batch { get; init; }

    /// <summary>Gets the most output tokens the model produces in one call: the worst case when a call sets no <c>MaxOutputTokens</c>.</summary>
    [Range(1, int.MaxValue)]
    public int? MaximumOutputTokens { get; init; }

    /// <summary>Gets the most input tokens the model accepts.</summary>
    [Range(1, int.MaxValue)]
    public int? ContextWindow { get; init; }

    /// <summary>Gets what the model accepts beyond plain text: tools, images, a JSON schema response format, reasoning options.</summary>
    /// <value>The default, <see langword="null"/>, is not known: a route sends such a model only requests that need none of them.</value>
    public ModelCapabilities? Capabilities { get; init; }

    /// <summary>
    /// Gets whether the model reasons before it answers (<see cref="ModelCapabilities.Reasoning"/> in <see cref="Capabilities"/>):
    /// its reasoning tokens are output, billed and counted against <c>MaxOutputTokens</c>, so a clamp must leave it room
    /// for an answer (<see cref="CostGovernanceOptions.MinimumClampedReasoningOutputTokens"/>).
    /// </summary>
    /// <value><see langword="false"/> when <see cref="Capabilities"/> is not known; the bundled catalog takes it from LiteLLM's <c>supports_reasoning</c>.</value>
    public bool SupportsReasoning => (Capabilities.GetValueOrDefault() & ModelCapabilities.Reasoning) != 0;

    /// <summary>Gets the GPU pool whose cost per hour and capacity these rates derive from (<see cref="AiCostGuard.GpuPool.CostPerToken"/>); its calls are noted <see cref="PricingNotes.GpuPool"/>.</summary>
    /// <value>The default, <see langword="null"/>, is a per-token list price.</value>
    public string? GpuPool { get; init; }

    /// <summary>Gets when this price takes effect.</summary>
    /// <value>The default, <see langword="null"/>, is in force from the beginning of time.</value>
    public DateTimeOffset? EffectiveFrom { get; init; }

    /// <summary>
    /// Gets other versions of this model's price, each with its <see cref="EffectiveFrom"/>: a call is priced at the version
    /// with the latest <see cref="EffectiveFrom"/> not after the call's start (see <see cref="At"/>).
    /// </summary>
    /// <value>The default, <see langword="null"/>, has this one version.</value>
    public IReadOnlyList<ModelPrice>? Versions { get; init; }

    /// <summary>Gets the version of this price in force at <paramref name="time"/>: among this price and its <see cref="Versions"/>, the one with the latest <see cref="EffectiveFrom"/> not after <paramref name="time"/>.</summary>
    /// <param name="time">When the call started.</param>
    /// <returns>The version in force; this instance when no version is, or none is listed.</returns>
    public ModelPrice At(DateTimeOffset time)
    {
        if (Versions is not { Count: > 0 } versions)
        {
            return this;
        }

        ModelPrice best = this;
        DateTimeOffset bestFrom = EffectiveFrom ?? DateTimeOffset.MinValue;
        bool inForce = bestFrom <= time;
        for (int i = 0; i < versions.Count; i++)
        {
            ModelPrice v = versions[i];
            DateTimeOffset from = v.EffectiveFrom ?? DateTimeOffset.MinValue;
            if (from <= time && (!inForce || from > bestFrom))
            {
                best = v;
                bestFrom = from;
                inForce = true;
            }
        }

        return best;
    }

    /// <summary>Prices <paramref name="usage"/> at the standard service tier.</summary>
    /// <param name="usage">The usage, normalized (see <see cref="TokenUsage"/>).</param>
    /// <returns>The cost in US dollars.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or the parts of input or output add up to more than the whole.</exception>
    public decimal GetCost(TokenUsage usage) => GetCostBreakdown(usage).Total;

    /// <summary>Prices <paramref name="usage"/> part by part, on <paramref name="serviceTier"/>, with long-context tiers applied.</summary>
    /// <param name="usage">The usage, normalized (see <see cref="TokenUsage"/>).</param>
    /// <param name="serviceTier"><c>flex</c>, <c>priority</c> or <c>batch</c>; <see langword="null"/>, <c>auto</c>, <c>default</c> or <c>standard</c> for the standard tier. Case is ignored.</param>
    /// <returns>The cost by part, the tier applied and the notes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or the parts of input or output add up to more than the whole.</exception>
    public CostBreakdown GetCostBreakdown(TokenUsage usage, string? serviceTier = null)
    {
        (long uncached, long plainOutput) = Split(in usage);
        CostBreakdown breakdown = TryGetCostBreakdownFixed(in usage, uncached, plainOutput, serviceTier, out CostBreakdown fixedPoint)
            ? fixedPoint
            : GetCostBreakdownInDecimal(in usage, uncached, plainOutput, serviceTier);
        return GpuPool is null ? breakdown : breakdown with { Notes = WithPoolNote(breakdown.Notes) };
    }

    /// <summary>Prices <paramref name="usage"/> as <see cref="GetCostBreakdown"/> does, as one amount: what a call is charged.</summary>
    internal PricedCost GetCharge(in TokenUsage usage, string? serviceTier)
    {
        GetCharge(in usage, serviceTier, out PricedCost charge);
        return charge;
    }

    /// <summary>Prices <paramref name="usage"/> as <see cref="GetCharge(in TokenUsage, string?)"/> does, into the caller's storage.</summary>
    internal void GetCharge(in TokenUsage usage, string? serviceTier, out PricedCost charge)
    {
        (long uncached, long plainOutput) = Split(in usage);
        if (!TryGetChargeFixed(in usage, uncached, plainOutput, serviceTier, out charge))
        {
            GetChargeInDecimal(in usage, uncached, plainOutput, serviceTier, out charge);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void GetChargeInDecimal(in TokenUsage usage, long uncached, long plainOutput, string? serviceTier, out PricedCost charge)
    {
        CostBreakdown breakdown = GetCostBreakdownInDecimal(in usage, uncached, plainOutput, serviceTier);
        charge = new PricedCost(breakdown.Total, breakdown.ServiceTier, WithPoolNote(breakdown.Notes), breakdown.Parts);
    }

    /// <summary>A price drawn from a GPU pool says so on every charge.</summary>
    private PricingNotes WithPoolNote(PricingNotes notes) => GpuPool is null ? notes : notes | PricingNotes.GpuPool;

    /// <summary>The uncached input and the plain output of <paramref name="usage"/>, once its counts are checked.</summary>
    private static (long Uncached, long PlainOutput) Split(in TokenUsage usage)
    {
        long uncached = usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteTokens - usage.CacheWriteOneHourTokens - usage.AudioInputTokens - usage.ImageInputTokens;
        long plainOutput = usage.OutputTokens - usage.ReasoningTokens - usage.AudioOutputTokens;
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CachedInputTokens < 0 || usage.ReasoningTokens < 0 || usage.CacheWriteTokens < 0
            || usage.CacheWriteOneHourTokens < 0 || usage.AudioInputTokens < 0 || usage.ImageInputTokens < 0 || usage.AudioOutputTokens < 0
            || uncached < 0 || plainOutput < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Token counts must be non-negative, and the cached, cache-write, audio and image parts cannot exceed the input, nor the reasoning and audio parts the output.");
        }

        return (uncached, plainOutput);
    }

    /// <summary>Prices <paramref name="usage"/> with the decimal formula, which holds for every rate and tier.</summary>
    internal CostBreakdown GetCostBreakdownInDecimal(in TokenUsage usage, long uncached, long plainOutput, string? serviceTier)
    {
        TokenRates rates = Resolve(serviceTier, usage.InputTokens, out string tier, out long? threshold, out PricingNotes notes);
        if (usage.CachedInputTokens > 0 && rates.CachedInput is null)
        {
            notes |= PricingNotes.CachedInputAtInputRate;
        }

        if (usage.AllCacheWriteTokens > 0 && (usage.CacheWriteTokens > 0 ? rates.CacheWrite is null : rates.CacheWriteOneHour is null && rates.CacheWrite is null))
        {
            notes |= PricingNotes.CacheWriteAtInputRate;
        }

        decimal cacheWrite = usage.AllCacheWriteTokens == 0 ? 0m
            : ((usage.CacheWriteTokens * (rates.CacheWrite ?? rates.Input))
               + (usage.CacheWriteOneHourTokens * (rates.CacheWriteOneHour ?? rates.CacheWrite ?? rates.Input))) / TokensPerUnit;
        decimal audioAndImage = usage.AudioInputTokens == 0 && usage.ImageInputTokens == 0 && usage.AudioOutputTokens == 0 ? 0m
            : ((usage.AudioInputTokens * (AudioInputPerMillion ?? rates.Input))
               + (usage.ImageInputTokens * (ImageInputPerMillion ?? rates.Input))
               + (usage.AudioOutputTokens * (AudioOutputPerMillion ?? rates.Output))) / TokensPerUnit;
        return new CostBreakdown(
            Price(uncached, rates.Input),
            Price(usage.CachedInputTokens, rates.CachedInput ?? rates.Input),
            cacheWrite,
            Price(plainOutput, rates.Output),
            Price(usage.ReasoningTokens, rates.Reasoning ?? rates.Output),
            audioAndImage,
            RequestFee ?? 0m,
            tier,
            threshold,
            notes);

        // Decimal division dominates pricing on the per-call path, and most calls have only two or three kinds of token.
        static decimal Price(long tokens, decimal perMillion) => tokens == 0 ? 0m : tokens * perMillion / TokensPerUnit;
    }

    /// <summary>Returns this price with the rates of <paramref name="serviceTier"/> as its standard rates, so that a budget reserves what the tier costs.</summary>
    internal ModelPrice ForServiceTier(string? serviceTier)
    {
        ServiceTierPrice? tier = TierPrice(serviceTier, out _);
        if (tier is null)
        {
            return this;
        }

        ModelPrice[]? versions = null;
        if (Versions is { Count: > 0 } list)
        {
            versions = new ModelPrice[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                versions[i] = list[i].ForServiceTier(serviceTier);
            }
        }

        return TokenRates.Of(this).With(tier).ApplyTo(this) with
        {
            LongContextTiers = tier.LongContextTiers ?? LongContextTiers,
            Flex = null,
            Priority = null,
            Batch = null,
            Versions = versions,
        };
    }

    private const string StandardTier = "standard";

    private static bool IsStandardTier(string? serviceTier) =>
        string.IsNullOrEmpty(serviceTier)
        || serviceTier.Equals("standard", StringComparison.OrdinalIgnoreCase)
        || serviceTier.Equals("default", StringComparison.OrdinalIgnoreCase)
        || serviceTier.Equals("auto", StringComparison.OrdinalIgnoreCase);

    private ServiceTierPrice? TierPrice(string? serviceTier, out bool fellBack)
    {
        fellBack = false;
        if (IsStandardTier(serviceTier))
        {
            return null;
        }

        ServiceTierPrice? tier = serviceTier!.ToUpperInvariant() switch
        {
            "FLEX" => Flex,
            "PRIORITY" => Priority,
            "BATCH" => Batch,
            _ => null,
        };
        fellBack = tier is null;
        return tier;
    }

    private TokenRates Resolve(string? serviceTier, long inputTokens, out string tierName, out long? threshold, out PricingNotes notes)
    {
        notes = PricingNotes.None;
        TokenRates rates = TokenRates.Of(this);
        ServiceTierPrice? tier = TierPrice(serviceTier, out bool fellBack);
        tierName = tier is null ? StandardTier : serviceTier!.ToLowerInvariant();
        if (fellBack)
        {
            notes |= PricingNotes.ServiceTierFallback;
        }

        if (tier is not null)
        {
            rates = rates.With(tier);
        }

        threshold = null;
        IReadOnlyList<LongContextPrice>? longContext = tier?.LongContextTiers ?? LongContextTiers;
        LongContextPrice? applied = null;
        if (longContext is not null)
        {
            for (int i = 0; i < longContext.Count; i++)
            {
                LongContextPrice candidate = longContext[i];
                if (inputTokens > candidate.AboveInputTokens && (applied is null || candidate.AboveInputTokens > applied.AboveInputTokens))
                {
                    applied = candidate;
                }
            }
        }

        if (applied is not null)
        {
            threshold = applied.AboveInputTokens;
            notes |= PricingNotes.LongContext;
            rates = rates.With(applied);
        }

        return rates;
    }
}
