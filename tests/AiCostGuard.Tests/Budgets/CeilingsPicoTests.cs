using FsCheck;
using FsCheck.Fluent;

namespace AiCostGuard.Tests.Budgets;

/// <summary>The cost ceiling checked in whole picodollars decides exactly as the decimal formula does.</summary>
public sealed class CeilingsPicoTests
{
    [FsCheck.Xunit.Property(MaxTest = 1_000)]
    public Property The_output_room_under_a_cost_ceiling_is_the_decimal_formulas(int seed)
    {
        var random = new Random(seed);

        // Rates and ceilings in whole picodollars and finer, with and without a request fee or a second version.
        decimal Rate() => random.Next(4) == 0 ? random.Next(1, 10_000_000) / 1_000_000_000m : random.Next(0, 10_000) / 100m;
        var price = new ModelPrice
        {
            InputPerMillion = Rate(),
            OutputPerMillion = Rate(),
            CachedInputPerMillion = random.Next(3) == 0 ? Rate() : null,
            RequestFee = random.Next(6) == 0 ? random.Next(1, 1_000) / 100_000m : null,
            Versions = random.Next(6) == 0 ? [new ModelPrice { InputPerMillion = Rate(), OutputPerMillion = Rate(), EffectiveFrom = DateTimeOffset.UnixEpoch }] : null,
        };
        long input = random.Next(0, 2) == 0 ? random.Next(0, 5_000) : random.Next(0, 2_000_000);
        long wanted = random.Next(1, 100_000);

        // Mostly near the call's worst case, so the ceiling binds; rounded to 0 to 15 decimals, finer than a picodollar at times.
        decimal near = price.GetWorstCaseCost(input, wanted) * random.Next(0, 1_300) / 1_000m;
        decimal ceiling = random.Next(5) switch
        {
            0 => random.Next(1, 1_000_000) / (decimal)Math.Pow(10, random.Next(0, 16)),
            1 => Math.Max(0.000001m, price.GetWorstCaseCost(input, random.Next(0, 3))), // the input's worst case exactly, or a token above it
            _ => Math.Max(0.000001m, decimal.Round(near, random.Next(0, 16))),
        };
        var limits = new BudgetLimits { MaximumCost = ceiling };

        long room = Ceilings.OutputRoom(limits, default, price, input, wanted);

        decimal inputCost = price.GetWorstCaseCost(input, 0);
        long expected = inputCost > ceiling ? -1 : Math.Min(wanted, Math.Max(0, price.OutputTokensAffordable(ceiling - inputCost, input)));
        return (room == expected).Label($"price {price}, ceiling {ceiling}, input {input}, wanted {wanted}: {room} against {expected}");
    }

    [Theory]
    [InlineData("10", 10_000_000_000_000L)]
    [InlineData("0.000001", 1_000_000L)]
    [InlineData("0.000000000001", 1L)]
    [InlineData("0.0000000000015", -1L)]
    [InlineData("9300000", -1L)]
    [InlineData("-1", -1L)]
    public void A_ceiling_is_compared_in_picodollars_only_when_it_is_a_whole_number_of_them(string dollars, long picos)
    {
        decimal amount = decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(picos, ModelPrice.ExactPicos(amount));
        Assert.Equal(picos, new BudgetLimits { MaximumCost = amount }.MaximumCostPicos());
        Assert.Equal(-1, new BudgetLimits().MaximumCostPicos());
    }
}
