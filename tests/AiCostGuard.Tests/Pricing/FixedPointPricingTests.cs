using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Pricing;

/// <summary>
/// The per-call path prices in whole picodollars; these properties hold it to the decimal formula, part by part, for
/// random rates (any rate with up to six decimal places per million tokens, set or unset) and random usages.
/// </summary>
public sealed class FixedPointPricingTests
{
    private static readonly Gen<decimal> Rate =
        from whole in Gen.Choose(0, 200)
        from micros in Gen.Choose(0, 999_999)
        select whole + (micros / 1_000_000m);

    private static readonly Gen<decimal?> OptionalRate = Gen.OneOf(Gen.Constant<decimal?>(null), Rate.Select(r => (decimal?)r));

    private static readonly Gen<ModelPrice> Prices =
        from input in Rate
        from cached in OptionalRate
        from write in OptionalRate
        from writeHour in OptionalRate
        from output in Rate
        from reasoning in OptionalRate
        from fee in Gen.Elements<decimal?>(null, 0.001m, 0.25m)
        select new ModelPrice
        {
            InputPerMillion = input,
            CachedInputPerMillion = cached,
            CacheWritePerMillion = write,
            CacheWriteOneHourPerMillion = writeHour,
            OutputPerMillion = output,
            ReasoningPerMillion = reasoning,
            RequestFee = fee,
        };

    private static readonly Gen<TokenUsage> Usages =
        from input in Gen.Choose(0, 2_000_000)
        from output in Gen.Choose(0, 200_000)
        from cached in Gen.Choose(0, input)
        from write in Gen.Choose(0, input - cached)
        from writeHour in Gen.Choose(0, input - cached - write)
        from reasoning in Gen.Choose(0, output)
        select new TokenUsage(input, output, cached, reasoning) { CacheWriteTokens = write, CacheWriteOneHourTokens = writeHour };

    [Property(MaxTest = 1000)]
    public Property Every_part_of_a_breakdown_equals_the_decimal_formula() =>
        Prop.ForAll(Prices.ToArbitrary(), Usages.ToArbitrary(), (price, usage) =>
        {
            CostBreakdown fast = price.GetCostBreakdown(usage);
            long uncached = usage.InputTokens - usage.CachedInputTokens - usage.AllCacheWriteTokens;
            CostBreakdown formula = price.GetCostBreakdownInDecimal(in usage, uncached, usage.OutputTokens - usage.ReasoningTokens, serviceTier: null);
            return fast == formula && fast.Total == formula.Total;
        });

    [Property(MaxTest = 1000)]
    public Property The_worst_case_and_the_output_a_budget_buys_equal_the_decimal_formula() =>
        Prop.ForAll(Prices.ToArbitrary(), Usages.ToArbitrary(), Gen.Choose(0, 100_000_000).ToArbitrary(), (price, usage, budgetMicros) =>
        {
            decimal budget = budgetMicros / 1_000_000m;
            return price.GetWorstCaseCost(usage.InputTokens, usage.OutputTokens) == price.WorstCaseOfThisVersionInDecimal(usage.InputTokens, usage.OutputTokens, serviceTier: null)
                && price.OutputTokensAffordable(budget, usage.InputTokens) == price.OutputTokensAffordableInDecimal(budget, usage.InputTokens);
        });

    [Property(MaxTest = 1000)]
    public Property A_charge_is_the_total_of_its_breakdown_in_one_conversion() =>
        Prop.ForAll(Prices.ToArbitrary(), Usages.ToArbitrary(), (price, usage) =>
        {
            PricedCost charge = price.GetCharge(in usage, serviceTier: null);
            long uncached = usage.InputTokens - usage.CachedInputTokens - usage.AllCacheWriteTokens;
            CostBreakdown formula = price.GetCostBreakdownInDecimal(in usage, uncached, usage.OutputTokens - usage.ReasoningTokens, serviceTier: null);
            return charge.Total == formula.Total && charge.ServiceTier == formula.ServiceTier && charge.Notes == formula.Notes && charge.Parts == formula.Parts;
        });

    [Property(MaxTest = 1000)]
    public Property The_input_a_budget_buys_equals_the_decimal_formula() =>
        Prop.ForAll(Prices.ToArbitrary(), Gen.Choose(-1_000, 100_000_000).ToArbitrary(), (price, budgetMicros) =>
        {
            decimal budget = budgetMicros / 1_000_000m;
            long formula = price.InputPerMillion <= 0 ? -1 : budget <= 0 ? 0 : (long)decimal.Floor(budget * 1_000_000m / price.InputPerMillion);
            return price.InputPerMillion <= 0 || price.InputTokensAffordable(budget) == formula;
        });

    [Fact]
    public void A_charge_on_another_service_tier_is_the_total_of_that_tier()
    {
        var price = new ModelPrice { InputPerMillion = 2.5m, OutputPerMillion = 10m, Flex = new ServiceTierPrice { InputPerMillion = 1.25m, OutputPerMillion = 5m } };
        var usage = new TokenUsage(1_000_000, 1000);

        PricedCost charge = price.GetCharge(in usage, "flex");

        Assert.Equal(price.GetCostBreakdown(usage, "flex").Total, charge.Total);
        Assert.Equal("flex", charge.ServiceTier);
        Assert.Equal("1.255", charge.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Amounts_carry_no_trailing_zeros()
    {
        var price = new ModelPrice { InputPerMillion = 2.5m, OutputPerMillion = 10m };

        CostBreakdown cost = price.GetCostBreakdown(new TokenUsage(1_000_000, 1000));

        Assert.Equal("2.5", cost.UncachedInput.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.01", cost.Output.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Half a dollar of input and half of output: the parts sum to 1.0, the charge is converted once, to 1.
        var usage = new TokenUsage(200_000, 50_000);
        Assert.Equal("1", price.GetCharge(in usage, serviceTier: null).Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_rate_finer_than_a_picodollar_per_token_is_priced_exactly_by_the_decimal_formula()
    {
        // $0.0000001 per million tokens is 0.1 picodollars per token: not a whole number, so the integer path steps aside.
        var price = new ModelPrice { InputPerMillion = 0.0000001m, OutputPerMillion = 1m };

        CostBreakdown cost = price.GetCostBreakdown(new TokenUsage(3, 0));

        Assert.Equal(0.0000000000003m, cost.UncachedInput);
    }

    [Fact]
    public void A_price_copied_with_new_rates_is_priced_at_its_own_rates()
    {
        var original = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 2m };
        Assert.Equal(0.000001m, original.GetCost(new TokenUsage(1, 0)));

        ModelPrice dearer = original with { InputPerMillion = 5m };

        Assert.Equal(0.000005m, dearer.GetCost(new TokenUsage(1, 0)));
        Assert.Equal(0.000001m, original.GetCost(new TokenUsage(1, 0)));
    }

    [Fact]
    public void Whether_rates_were_used_does_not_change_a_price_equality()
    {
        var used = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 2m };
        var unused = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 2m };
        _ = used.GetCost(new TokenUsage(10, 10));

        Assert.Equal(unused, used);
        Assert.Equal(unused.GetHashCode(), used.GetHashCode());
    }
}
