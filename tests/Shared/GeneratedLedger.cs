namespace AiCostGuard.Tests.Shared;

/// <summary>
/// Call records with a known daily spend: a level, a linear trend, a weekly profile and multiplicative Gaussian noise,
/// from a seeded generator, so backtests know what the forecast should have found.
/// </summary>
internal static class GeneratedLedger
{
    /// <summary>A Monday: day 0 of every generated ledger.</summary>
    public static readonly DateOnly Start = new(2026, 3, 2);

    /// <summary>Monday to Sunday: busy weekdays, quiet weekends; the shares average one.</summary>
    public static readonly double[] Weekly = [1.15, 1.2, 1.15, 1.1, 1.0, 0.7, 0.7];

    /// <summary>The spend of day <paramref name="day"/> before noise: (level + slope × day) × the weekday's share.</summary>
    public static double Expected(int day, double level, double slope) => (level + (slope * day)) * Weekly[day % 7];

    /// <summary>Generates <paramref name="days"/> days of calls for <paramref name="team"/>, four calls a day whose costs sum to the day's spend.</summary>
    /// <param name="spike">Multiplies the spend of the days it names (a runaway loop, an outage) before noise.</param>
    public static List<CostRecord> Calls(int seed, int days = 60, double level = 20, double slope = 0.25, double noise = 0.10, string team = "search", string feature = "chat", Func<int, double>? spike = null)
    {
        var random = new Random(seed);
        var calls = new List<CostRecord>(days * 4);
        for (int day = 0; day < days; day++)
        {
            double spend = Expected(day, level, slope) * (spike?.Invoke(day) ?? 1.0) * Math.Max(0, 1 + (noise * Normal(random)));
            decimal left = decimal.Round((decimal)spend, 6);
            DateTimeOffset midnight = new(Start.AddDays(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            for (int i = 0; i < 4; i++)
            {
                decimal cost = i == 3 ? left : decimal.Round(left * (decimal)(0.2 + (0.2 * random.NextDouble())), 6);
                left -= cost;
                calls.Add(new CostRecord
                {
                    Timestamp = midnight.AddHours(3 + (5 * i)).AddMinutes(random.Next(60)),
                    Duration = TimeSpan.FromMilliseconds(900),
                    Attribution = new CostAttribution { Tenant = "acme", Team = team, Feature = feature },
                    ScopeName = feature,
                    ScopeId = $"{team}-{day}-{i}",
                    ModelId = "gpt-4o-mini",
                    Provider = "openai",
                    InputTokens = 1200,
                    OutputTokens = 300,
                    Cost = cost,
                    CostSource = CostSource.ProviderReported,
                    Outcome = CallOutcome.Succeeded,
                });
            }
        }

        return calls;
    }

    /// <summary>The spend of each day of <paramref name="calls"/>, from <see cref="Start"/>.</summary>
    public static decimal[] DailyTotals(IEnumerable<CostRecord> calls, int days)
    {
        var totals = new decimal[days];
        foreach (CostRecord c in calls)
        {
            int day = DateOnly.FromDateTime(c.Timestamp.UtcDateTime).DayNumber - Start.DayNumber;
            if (day >= 0 && day < days)
            {
                totals[day] += c.Cost;
            }
        }

        return totals;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
