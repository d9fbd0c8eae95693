namespace AiCostGuard;

/// <summary>
/// A period budget whose ceiling grows with the value delivered, agreed in advance: <see cref="Base"/> plus
/// <see cref="AllowancePerSuccess"/> for each successful outcome of the period, at most <see cref="Cap"/>; while the
/// cost per successful outcome is above <see cref="TargetCostPerSuccess"/>, the ceiling stops growing.
/// </summary>
public sealed class AdaptiveEnvelopeOptions
{
    /// <summary>Gets or sets the envelope's name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the period the ceiling resets with: daily, weekly or monthly (UTC days).</summary>
    /// <value>The default value is <see cref="BudgetPeriod.Monthly"/>.</value>
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Monthly;

    /// <summary>Gets or sets the attribution dimensions that key the envelope, like <see cref="PeriodBudgetOptions.Dimensions"/>.</summary>
    public AttributionDimensions Dimensions { get; set; }

    /// <summary>Gets or sets the day a weekly envelope starts on.</summary>
    /// <value>The default value is <see cref="DayOfWeek.Monday"/>.</value>
    public DayOfWeek FirstDayOfWeek { get; set; } = DayOfWeek.Monday;

    /// <summary>Gets or sets the ceiling before any success, in US dollars.</summary>
    public decimal Base { get; set; }

    /// <summary>Gets or sets what each successful outcome adds to the ceiling, in US dollars.</summary>
    public decimal AllowancePerSuccess { get; set; }

    /// <summary>Gets or sets the most the ceiling may grow to, in US dollars; at least <see cref="Base"/>.</summary>
    public decimal Cap { get; set; }

    /// <summary>Gets or sets the cost per successful outcome above which the ceiling stops growing (the review gate); <see langword="null"/> for no gate.</summary>
    public decimal? TargetCostPerSuccess { get; set; }

    /// <summary>Gets or sets the outcome that counts as value (<see cref="OutcomeRecord.Name"/>); <see langword="null"/> counts every successful outcome.</summary>
    public string? OutcomeName { get; set; }

    /// <summary>Lists what is wrong with this envelope.</summary>
    /// <param name="prefix">A prefix for each message, naming where the envelope is configured.</param>
    /// <returns>The problems, each naming its field; empty when the envelope is valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{prefix}{nameof(Name)}: a name is required.");
        }

        if (Period is not (BudgetPeriod.Daily or BudgetPeriod.Weekly or BudgetPeriod.Monthly))
        {
            problems.Add($"{prefix}{nameof(Period)}: '{Period}' is not Daily, Weekly or Monthly.");
        }

        if (Base < 0)
        {
            problems.Add($"{prefix}{nameof(Base)}: {Base} is negative.");
        }

        if (AllowancePerSuccess < 0)
        {
            problems.Add($"{prefix}{nameof(AllowancePerSuccess)}: {AllowancePerSuccess} is negative.");
        }

        if (Cap < Base)
        {
            problems.Add($"{prefix}{nameof(Cap)}: {Cap} is below the base {Base}.");
        }

        if (TargetCostPerSuccess is <= 0)
        {
            problems.Add($"{prefix}{nameof(TargetCostPerSuccess)}: {TargetCostPerSuccess} is not a positive cost.");
        }

        return problems;
    }
}
