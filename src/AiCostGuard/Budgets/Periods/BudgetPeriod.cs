namespace AiCostGuard;

/// <summary>The window of time a <see cref="PeriodBudgetOptions"/> ceiling applies to.</summary>
public enum BudgetPeriod
{
    /// <summary>A calendar day, from midnight to midnight in the budget's time zone.</summary>
    Daily,

    /// <summary>A calendar week, from midnight of <see cref="PeriodBudgetOptions.FirstDayOfWeek"/> in the budget's time zone.</summary>
    Weekly,

    /// <summary>A calendar month, from midnight of its first day in the budget's time zone.</summary>
    Monthly,

    /// <summary>The last <see cref="PeriodBudgetOptions.RollingWindow"/>, e.g. the last 24 hours, at any moment.</summary>
    Rolling,
}
