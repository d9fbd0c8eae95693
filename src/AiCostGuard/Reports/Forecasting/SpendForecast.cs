namespace AiCostGuard;

/// <summary>
/// A daily spend forecast per group, from the ledger's history: a linear trend times a weekly profile, with 80 %
/// prediction intervals for every day and for the horizon's total.
/// </summary>
/// <remarks>
/// <para>Days are UTC days. A group's history runs from its first call to the day before <see cref="AsOf"/>; days
/// without a call count as zero spend. Only the last eight weeks are fitted. Refused calls cost nothing and are left out.</para>
/// <para>A group with fewer than <see cref="MinimumHistoryDays"/> days of history gets no number: it is listed in
/// <see cref="ShortHistories"/> with how much history it has. Immutable and thread-safe.</para>
/// </remarks>
public sealed class SpendForecast
{
    /// <summary>The fewest days of history a forecast is made from: two weeks, so every weekday is seen twice.</summary>
    public const int MinimumHistoryDays = 14;

    /// <summary>The longest horizon, in days.</summary>
    public const int MaximumHorizonDays = 366;

    /// <summary>The horizon used when none is given, in days.</summary>
    public const int DefaultHorizonDays = 14;

    private SpendForecast(DateOnly asOf, int horizonDays, IReadOnlyList<SpendForecastGroup> groups, IReadOnlyList<ShortHistory> shortHistories)
    {
        AsOf = asOf;
        HorizonDays = horizonDays;
        Groups = groups;
        ShortHistories = shortHistories;
    }

    /// <summary>Gets the first day forecast; the history is every day before it.</summary>
    public DateOnly AsOf { get; }

    /// <summary>Gets the number of days forecast.</summary>
    public int HorizonDays { get; }

    /// <summary>Gets the groups forecast, ordered by their key.</summary>
    public IReadOnlyList<SpendForecastGroup> Groups { get; }

    /// <summary>Gets the groups with too little history to be forecast, ordered by their key.</summary>
    public IReadOnlyList<ShortHistory> ShortHistories { get; }

    /// <summary>Forecasts the spend of each group.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="by">The dimensions to group by: a combination of <see cref="ReportDimensions.Team"/>, <see cref="ReportDimensions.Feature"/> and <see cref="ReportDimensions.Model"/>.</param>
    /// <param name="asOf">The first day to forecast; the default is the day after the last call sent.</param>
    /// <param name="horizonDays">The days to forecast, from 1 to <see cref="MaximumHorizonDays"/>.</param>
    /// <returns>The forecast.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> names the day, or <paramref name="horizonDays"/> is out of range.</exception>
    /// <exception cref="ArgumentException">No call was sent before <paramref name="asOf"/>.</exception>
    public static SpendForecast Create(IEnumerable<CostRecord> calls, ReportDimensions by = ReportDimensions.None, DateOnly? asOf = null, int horizonDays = DefaultHorizonDays)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if ((by & ~(ReportDimensions.Team | ReportDimensions.Feature | ReportDimensions.Model)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Forecast groups by a combination of Team, Feature and Model; every group is forecast day by day.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(horizonDays, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizonDays, MaximumHorizonDays);
        IReadOnlyCollection<CostRecord> sent = [.. calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        DateOnly start = asOf ?? LastDay(sent, nameof(calls)).AddDays(1);
        List<DailySpendSeries> series = DailySpendSeries.Build(sent, by, start);
        if (series.Count == 0)
        {
            throw new ArgumentException($"No call was sent before {Day(start)}: there is no history to forecast from.", nameof(asOf));
        }

        var groups = new List<SpendForecastGroup>(series.Count);
        var shortHistories = new List<ShortHistory>();
        foreach (DailySpendSeries s in series)
        {
            if (s.Days.Length < MinimumHistoryDays)
            {
                shortHistories.Add(new ShortHistory(s.Key, s.Days.Length, MinimumHistoryDays));
                continue;
            }

            groups.Add(Forecast(s, horizonDays));
        }

        return new SpendForecast(start, horizonDays, groups, shortHistories);
    }

    /// <summary>Forecasts the <paramref name="horizonDays"/> days after the end of a series long enough to be fitted.</summary>
    internal static SpendForecastGroup Forecast(DailySpendSeries series, int horizonDays)
    {
        var model = SeasonalTrendModel.Fit(series.Days, series.Start);
        var daily = new DailySpendForecast[horizonDays];
        decimal total = 0m;
        for (int h = 1; h <= horizonDays; h++)
        {
            SpendRange day = Range(model.Predict(h, 1));
            daily[h - 1] = new DailySpendForecast(series.End.AddDays(h - 1), day);
            total += day.Cost;
        }

        // The total is the sum of the days as printed, so the numbers add up; its interval is the interval of the sum.
        SpendRange sum = Range(model.Predict(1, horizonDays));
        return new SpendForecastGroup(series.Key, series.Days.Length, new SpendRange(total, Math.Min(sum.Low, total), Math.Max(sum.High, total)), daily);
    }

    internal static SpendRange Range((double Cost, double Low, double High) p) => new(Money(p.Cost), Money(p.Low), Money(p.High));

    internal static DateOnly LastDay(IEnumerable<CostRecord> sent, string parameter)
    {
        DateOnly? last = null;
        foreach (CostRecord c in sent)
        {
            DateOnly day = DailySpendSeries.Day(c.Timestamp);
            last = last is { } l && l >= day ? l : day;
        }

        return last ?? throw new ArgumentException("The ledger holds no call sent: there is no history to forecast from.", parameter);
    }

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static decimal Money(double value) => decimal.Round((decimal)value, 6, MidpointRounding.AwayFromZero);
}
