using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Budgets.Tiers;

/// <summary>A tier fires exactly once per window in which it is reached, and never in a window in which it is not.</summary>
public sealed class BudgetTierPropertyTests
{
    private static readonly double[] Percents = [25, 50, 80, 95, 100];

    [Property(MaxTest = 100)]
    public Property Each_tier_notifies_exactly_once_per_window_it_is_reached_in_and_never_otherwise()
    {
        // A step is a call's output, and whether the day ends before it; several teams share the budget's definition.
        Gen<(int Output, bool NextDay, int Team)[]> steps =
            (from output in Gen.Choose(0, 40)
             from nextDay in Gen.Frequency((1, Gen.Constant(true)), (6, Gen.Constant(false)))
             from team in Gen.Choose(0, 1)
             select (output, nextDay, team)).ArrayOf();
        return Prop.ForAll(steps.ToArbitrary(), run =>
        {
            var h = new TierHarness(b =>
            {
                foreach (double percent in Percents)
                {
                    b.Tiers.Add(new BudgetTier { Percent = percent });
                }
            });

            // The model: what each team's window had committed when each of its calls started.
            var expected = new HashSet<(DateTimeOffset Day, string Team, string Tier)>();
            var committed = new Dictionary<(DateTimeOffset, string), long>();
            foreach ((int output, bool nextDay, int t) in run)
            {
                if (nextDay)
                {
                    h.Time.Advance(TimeSpan.FromDays(1));
                }

                string team = t == 0 ? "search" : "ads";
                DateTimeOffset day = new(h.Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
                long before = committed.GetValueOrDefault((day, team));
                foreach (double percent in Percents.Where(p => before * 100 >= p * TierHarness.OutputLimit))
                {
                    expected.Add((day, team, "daily@" + percent.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }

                h.Call(output, team: team).GetAwaiter().GetResult();
                committed[(day, team)] = before + output;
            }

            var notified = h.Reached.GroupBy(r => (r.WindowStart, r.Key["daily|team=".Length..], r.Tier)).ToDictionary(g => g.Key, g => g.Count());
            var markers = h.Markers.GroupBy(m => (new DateTimeOffset(m.Timestamp.UtcDateTime.Date, TimeSpan.Zero), m.Attribution.Team!, m.BudgetTier!)).ToDictionary(g => g.Key, g => g.Count());
            return (notified.Values.All(c => c == 1) && notified.Keys.ToHashSet().SetEquals(expected)
                    && markers.Values.All(c => c == 1) && markers.Keys.ToHashSet().SetEquals(expected))
                .Label($"expected {string.Join(", ", expected)}; notified {string.Join(", ", notified)}");
        });
    }
}
