namespace AiCostGuard;

/// <summary>A group that has too little history to be forecast, and how much it has.</summary>
/// <param name="Key">The group's value for each dimension grouped by, as in <see cref="SpendForecastGroup.Key"/>.</param>
/// <param name="HistoryDays">The days of history it has before the forecast starts.</param>
/// <param name="RequiredDays">The days of history a forecast needs: <see cref="SpendForecast.MinimumHistoryDays"/>.</param>
public sealed record ShortHistory(IReadOnlyDictionary<string, string> Key, int HistoryDays, int RequiredDays);
