using System.Text.RegularExpressions;

namespace AiCostGuard;

/// <summary>
/// A period budget whose ceiling grows with the value delivered, agreed in advance: <see cref="Base"/> plus
/// <see cref="AllowancePerSuccess"/> for each successful outcome of the period, at most <see cref="Cap"/>; while the
/// cost per successful outcome is above <see cref="TargetCostPerSuccess"/>, the ceiling stops growing.
/// </summary>
/// <remarks>
/// Add it to <see cref="CostGovernanceOptions.AdaptiveEnvelopes"/> to enforce it at call time (it binds from
/// configuration), or replay a ledger through it with <c>AdaptiveEnvelope.Replay</c>: both follow one rule.
/// </remarks>
public sealed partial class AdaptiveEnvelopeOptions
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
        else if (!ValidName().IsMatch(Name))
        {
            problems.Add($"{prefix}{nameof(Name)}: '{Name}' must be 1 to 64 letters, digits or '_ . : -'.");
        }

        if ((Dimensions & ~(AttributionDimensions)0b11_1111) != 0)
        {
            problems.Add($"{prefix}{nameof(Dimensions)}: '{Dimensions}' is not a combination of attribution dimensions.");
        }

        if (!Enum.IsDefined(FirstDayOfWeek))
        {
            problems.Add($"{prefix}{nameof(FirstDayOfWeek)}: '{FirstDayOfWeek}' is not a day of the week.");
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

        if (OutcomeName is not null && !AttributionValue.IsValid(OutcomeName, out string? nameError))
        {
            problems.Add($"{prefix}{nameof(OutcomeName)}: '{OutcomeName}' {nameError}.");
        }

        return problems;
    }

    /// <summary>A copy, so that changing this instance after a client is built does not change the envelope it enforces.</summary>
    internal AdaptiveEnvelopeOptions Clone() => (AdaptiveEnvelopeOptions)MemberwiseClone();

    // The name is part of the budget store's key, like a period budget's.
    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]{1,64}$")]
    private static partial Regex ValidName();
}
