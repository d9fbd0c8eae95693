namespace AiCostGuard;

/// <summary>The forecast of one group of a <see cref="SpendForecast"/>.</summary>
/// <param name="Key">The group's value for each dimension grouped by (<c>team</c>, <c>feature</c>, <c>model</c>); <c>-</c> for an unset value. Empty when not grouped.</param>
/// <param name="HistoryDays">The days of history the forecast was made from: from the group's first call to the day before <see cref="SpendForecast.AsOf"/>.</param>
/// <param name="Total">The expected spend over the whole horizon, with the 80 % prediction interval of that total (narrower than the sum of the daily intervals).</param>
/// <param name="Daily">The forecast of each day of the horizon, in order.</param>
public sealed record SpendForecastGroup(IReadOnlyDictionary<string, string> Key, int HistoryDays, SpendRange Total, IReadOnlyList<DailySpendForecast> Daily);
