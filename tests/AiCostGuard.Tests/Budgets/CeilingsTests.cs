using FsCheck;
using FsCheck.Fluent;

namespace AiCostGuard.Tests.Budgets;

/// <summary>The four-ceiling rule, checked as one: the output room a call is given always fits the check the stores make.</summary>
public sealed class CeilingsTests
{
    private static readonly ModelPrice Price = new() { InputPerMillion = 2.5m, OutputPerMillion = 10m };

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property The_output_room_fits_every_ceiling_and_one_more_token_does_not(int seed)
    {
        var random = new Random(seed);
        BudgetLimits limits = new()
        {
            MaximumInputTokens = random.Next(2) == 0 ? null : random.Next(1, 5_000),
            MaximumOutputTokens = random.Next(2) == 0 ? null : random.Next(1, 5_000),
            MaximumTotalTokens = random.Next(2) == 0 ? null : random.Next(1, 8_000),
            MaximumCost = random.Next(2) == 0 ? null : random.Next(1, 10_000) / 100_000m,
        };
        var used = new BudgetUsage(random.Next(0, 3_000), random.Next(0, 3_000), random.Next(0, 5_000) / 100_000m);
        long input = random.Next(0, 3_000);
        long wanted = random.Next(1, 4_000);

        long room = Ceilings.OutputRoom(limits, used, Price, input, wanted);
        BudgetUsage Worst(long output) => new(input, output, Price.GetWorstCaseCost(input, output));

        // Negative: the input alone passes a ceiling. Otherwise the room fits (none at all when already over), and one more token does not.
        bool fits = room < 0
            ? Ceilings.Check(limits, used, Worst(0)).IsBreached
            : (room == 0 || !Ceilings.Check(limits, used, Worst(room)).IsBreached) && (room == wanted || Ceilings.Check(limits, used, Worst(room + 1)).IsBreached);
        return fits.Label($"limits {limits}, used {used}, input {input}, wanted {wanted}, room {room}");
    }

    [Fact]
    public void A_breach_is_reported_in_the_order_of_the_table_and_Redis_codes_map_back_to_it()
    {
        var limits = new BudgetLimits { MaximumInputTokens = 10, MaximumOutputTokens = 10, MaximumTotalTokens = 10, MaximumCost = 0.000001m };
        var need = new BudgetUsage(11, 11, 1m);
        CeilingBreach first = Ceilings.Check(limits, default, need);

        Assert.Equal(Ceilings.Kinds[0], first.Kind);
        for (int code = 1; code <= Ceilings.Kinds.Length; code++)
        {
            BudgetLimitKind kind = Ceilings.FromCode(code);
            Assert.Equal(Ceilings.All[code - 1].Kind, kind);
            Assert.True(Ceilings.IsCeiling(kind));
            Assert.Null(Ceilings.Limit(new BudgetLimits(), kind));
        }

        Assert.All(Enum.GetValues<BudgetLimitKind>().Where(k => !Ceilings.IsCeiling(k)), k => Assert.Throws<ArgumentOutOfRangeException>(() => Ceilings.Limit(limits, k)));
    }

    [Fact]
    public void The_stores_refuse_with_the_same_rule()
    {
        var limits = new BudgetLimits { MaximumTotalTokens = 100 };
        BudgetReservation answer = BudgetReservation.Check(new BudgetUsage(40, 40, 0m), new BudgetUsage(10, 11, 0m), limits);
        CeilingBreach breach = Ceilings.Check(limits, new BudgetUsage(40, 40, 0m), new BudgetUsage(10, 11, 0m));

        Assert.Equal((false, BudgetLimitKind.TotalTokens, 100m, 80m), (answer.IsReserved, answer.LimitKind, answer.Limit, answer.Used));
        Assert.Equal((answer.LimitKind, answer.Limit, answer.Used), (breach.Kind, breach.Limit, breach.Used));
    }

    [Fact]
    public void Setting_any_ceiling_of_the_table_marks_it_set_so_no_check_skips_it()
    {
        Assert.InRange(Ceilings.All.Length, 1, 31);
        for (int i = 0; i < Ceilings.All.Length; i++)
        {
            Ceiling c = Ceilings.All[i];
            var limits = new BudgetLimits();
            System.Reflection.PropertyInfo property = typeof(BudgetLimits).GetProperty("Maximum" + c.Kind)!;
            property.SetValue(limits, c.CountsCost ? (object)0.5m : (object)500L);

            Assert.Equal(1 << i, limits.CeilingsSet);
            Assert.True(limits.HasAny);
            Assert.Equal(c.CountsCost ? 0.5m : 500m, Ceilings.Limit(limits, c.Kind));
            Assert.Equal(c.Kind, Ceilings.Check(limits, default, new BudgetUsage(1_000, 1_000, 1m)).Kind);

            property.SetValue(limits, null);
            Assert.Equal(0, limits.CeilingsSet);
            Assert.False(Ceilings.Check(limits, default, new BudgetUsage(1_000, 1_000, 1m)).IsBreached);
        }
    }
}
