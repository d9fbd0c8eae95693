namespace AiCostGuard;

/// <summary>The forecast spend of one UTC day.</summary>
/// <param name="Date">The day.</param>
/// <param name="Spend">The expected cost and its 80 % prediction interval.</param>
public sealed record DailySpendForecast(DateOnly Date, SpendRange Spend);
