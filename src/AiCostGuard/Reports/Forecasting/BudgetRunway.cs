namespace AiCostGuard;

/// <summary>
/// When a period budget is expected to run out for one attribution key: its spend so far in the current period, the
/// spend the forecast adds by the period's end, and the day the ceiling is reached, with its 80 % interval.
/// </summary>
/// <param name="Budget">The budget's <see cref="PeriodBudgetOptions.Name"/>.</param>
/// <param name="Key">The attribution key the budget keeps spend under, e.g. <c>team=search</c>; <c>all</c> for a budget with no dimension.</param>
/// <param name="PeriodStart">The first day of the period that holds the as-of day.</param>
/// <param name="PeriodEnd">The first day of the next period.</param>
/// <param name="Limit">The budget's <see cref="BudgetLimits.MaximumCost"/>, in US dollars.</param>
/// <param name="Spent">The spend of the key from <paramref name="PeriodStart"/> to the day before the as-of day, in US dollars.</param>
/// <param name="HistoryDays">The days of history of the key before the as-of day.</param>
/// <param name="Projected">The expected spend of the whole period (<paramref name="Spent"/> plus the forecast of its remaining days) and its 80 % interval; <see langword="null"/> when the key has fewer than <see cref="SpendForecast.MinimumHistoryDays"/> days of history.</param>
/// <param name="RunsOut">The day the expected spend reaches the limit; <see langword="null"/> when it holds to the period's end. A budget already spent gives the day it was reached.</param>
/// <param name="RunsOutEarliest">The day the upper bound (90th percentile) of the spend reaches the limit: there is a 10 % chance it runs out by then; <see langword="null"/> when even that holds to the period's end.</param>
/// <param name="RunsOutLatest">The day the lower bound (10th percentile) of the spend reaches the limit: it has run out by then with 90 % likelihood; <see langword="null"/> when that bound holds to the period's end.</param>
public sealed record BudgetRunway(
    string Budget,
    string Key,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    decimal Limit,
    decimal Spent,
    int HistoryDays,
    SpendRange? Projected,
    DateOnly? RunsOut,
    DateOnly? RunsOutEarliest,
    DateOnly? RunsOutLatest)
{
    /// <summary>Tells whether <paramref name="budget"/> has a run-out date: a daily, weekly or monthly budget with a <see cref="BudgetLimits.MaximumCost"/>.</summary>
    /// <param name="budget">The budget.</param>
    /// <returns><see langword="true"/> for a calendar budget with a cost ceiling; rolling windows and token-only ceilings have none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="budget"/> is <see langword="null"/>.</exception>
    public static bool HasRunway(PeriodBudgetOptions budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return budget.Period != BudgetPeriod.Rolling && budget.Limits?.MaximumCost is not null;
    }

    /// <summary>Forecasts the runway of every key of every budget that <see cref="HasRunway"/>, from the history before <paramref name="asOf"/>.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="budgets">The period budgets, as configured in <see cref="CostGovernanceOptions.PeriodBudgets"/>.</param>
    /// <param name="asOf">The first day forecast; the default is the day after the last call sent.</param>
    /// <returns>One runway per budget and key seen in the history, ordered by budget, then key.</returns>
    /// <remarks>Periods are counted in UTC days, with the budget's <see cref="PeriodBudgetOptions.FirstDayOfWeek"/>; a budget aligned in another time zone is approximated by the same calendar dates.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A budget is invalid (the message lists every problem), or no call was sent before <paramref name="asOf"/>.</exception>
    public static IReadOnlyList<BudgetRunway> Create(IEnumerable<CostRecord> calls, IEnumerable<PeriodBudgetOptions> budgets, DateOnly? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(budgets);
        PeriodBudgetOptions[] all = [.. budgets];
        var problems = new List<string>();
        for (int i = 0; i < all.Length; i++)
        {
            problems.AddRange(all[i] is null ? [$"[{i}]: the budget is missing."] : all[i].Validate($"[{i}]."));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid period budgets: " + string.Join(" ", problems), nameof(budgets));
        }

        CostRecord[] sent = [.. calls.Where(c => c.Outcome != CallOutcome.NotSent)];
        DateOnly start = asOf ?? SpendForecast.LastDay(sent, nameof(calls)).AddDays(1);
        var runways = new List<BudgetRunway>();
        foreach (PeriodBudgetOptions budget in all.Where(HasRunway))
        {
            (DateOnly periodStart, DateOnly periodEnd) = Period(budget, start);
            foreach (DailySpendSeries series in DailySpendSeries.Build(sent, c => [AttributionKey.Build(budget.Dimensions, c.Attribution ?? CostAttribution.Empty)], ["key"], start))
            {
                runways.Add(Forecast(budget.Name!, series, periodStart, periodEnd, budget.Limits.MaximumCost!.Value));
            }
        }

        return runways;
    }

    private static BudgetRunway Forecast(string name, DailySpendSeries series, DateOnly periodStart, DateOnly periodEnd, decimal limit)
    {
        decimal spent = 0m;
        DateOnly? spentOut = null;
        for (DateOnly day = periodStart > series.Start ? periodStart : series.Start; day < series.End; day = day.AddDays(1))
        {
            spent += series.Days[day.DayNumber - series.Start.DayNumber];
            spentOut ??= spent >= limit ? day : null;
        }

        if (series.Days.Length < SpendForecast.MinimumHistoryDays)
        {
            return new BudgetRunway(name, series.SortKey, periodStart, periodEnd, limit, spent, series.Days.Length, null, spentOut, spentOut, spentOut);
        }

        var model = SeasonalTrendModel.Fit(series.Days, series.Start);
        int remaining = periodEnd.DayNumber - series.End.DayNumber;
        DateOnly? expected = spentOut, earliest = spentOut, latest = spentOut;
        SpendRange projected = new(spent, spent, spent);
        for (int k = 1; k <= remaining; k++)
        {
            // The spend of the first k days ahead: its interval is the interval of their sum, not the sum of daily intervals.
            projected = SpendForecast.Range(model.Predict(1, k));
            projected = new SpendRange(spent + projected.Cost, spent + projected.Low, spent + projected.High);
            DateOnly day = series.End.AddDays(k - 1);
            expected ??= projected.Cost >= limit ? day : null;
            earliest ??= projected.High >= limit ? day : null;
            latest ??= projected.Low >= limit ? day : null;
        }

        return new BudgetRunway(name, series.SortKey, periodStart, periodEnd, limit, spent, series.Days.Length, projected, expected, earliest, latest);
    }

    private static (DateOnly Start, DateOnly End) Period(PeriodBudgetOptions budget, DateOnly day) => budget.Period switch
    {
        BudgetPeriod.Daily => (day, day.AddDays(1)),
        BudgetPeriod.Weekly => (day.AddDays(-(((int)day.DayOfWeek - (int)budget.FirstDayOfWeek + 7) % 7)), day.AddDays(7 - (((int)day.DayOfWeek - (int)budget.FirstDayOfWeek + 7) % 7))),
        BudgetPeriod.Monthly => (new DateOnly(day.Year, day.Month, 1), new DateOnly(day.Year, day.Month, 1).AddMonths(1)),
        BudgetPeriod.Rolling => throw new ArgumentOutOfRangeException(nameof(budget), "A rolling window has no period end."),
        _ => throw new ArgumentOutOfRangeException(nameof(budget), budget.Period, "Not a budget period."),
    };
}
