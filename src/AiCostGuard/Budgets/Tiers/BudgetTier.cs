using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// A share of a period budget's ceiling — 50, 80, 95 or 100 % of what its window may spend — and what happens to calls
/// once the window's spend so far reached it. Add it to <see cref="PeriodBudgetOptions.Tiers"/>; it binds from configuration.
/// </summary>
/// <remarks>
/// <para>
/// The share is measured on what settled calls committed in the window (not on calls in flight), as the highest share
/// among the ceilings the budget sets: with a cost and an output-token ceiling, whichever is nearer its limit. Tiers act
/// on spend so far; the budget's ceilings still refuse a call whose worst case does not fit, whatever its tiers.
/// </para>
/// <para>
/// A tier notifies once per window per attribution key when it is first reached. For a rolling window "once" means
/// once each time the spend climbs back to the tier after it fell below it.
/// </para>
/// </remarks>
public sealed class BudgetTier
{
    /// <summary>The highest share a tier may name: ten times the ceiling, for a budget whose ceilings are not enforced.</summary>
    public const double MaximumPercent = 1000;

    /// <summary>Gets or sets the share of the budget's ceiling, in percent, at which the tier is reached.</summary>
    /// <value>The default value is 0, which is invalid: a tier names its share.</value>
    [Range(double.Epsilon, MaximumPercent, ErrorMessage = "The share must be above 0 and at most 1000 percent.")]
    public double Percent { get; set; }

    /// <summary>Gets or sets what the tier does to calls once it is reached.</summary>
    /// <value>The default value is <see cref="BudgetTierAction.Notify"/>.</value>
    public BudgetTierAction Action { get; set; } = BudgetTierAction.Notify;

    /// <summary>Gets or sets the most reasoning effort a call is sent with under <see cref="BudgetTierAction.LowerReasoningEffort"/>.</summary>
    /// <value>The default value is <see cref="Microsoft.Extensions.AI.ReasoningEffort.Low"/>.</value>
    public ReasoningEffort ReasoningEffort { get; set; } = ReasoningEffort.Low;

    /// <summary>Gets the tier as the ledger and spans name it: the budget's name and the share, e.g. <c>team-monthly@80</c>.</summary>
    /// <param name="budget">The budget's name.</param>
    /// <returns>The name.</returns>
    public string NameIn(string budget) => budget + "@" + Percent.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
