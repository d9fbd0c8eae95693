using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// Token and cost ceilings, for one request (<c>CostGovernanceOptions.RequestLimits</c>) or for a
/// <see cref="BudgetScope"/> that many calls share. An unset ceiling does not limit.
/// </summary>
/// <remarks>Limits are validated when the middleware is built or a scope begins: zero, negative and absurd values are rejected.</remarks>
public sealed class BudgetLimits
{
    /// <summary>The largest token ceiling accepted: a trillion tokens.</summary>
    public const long LargestTokenLimit = 1_000_000_000_000;

    /// <summary>The largest cost ceiling accepted, in US dollars.</summary>
    public const double LargestCostLimit = 1_000_000_000;

    /// <summary>Gets or sets the most input tokens (cached ones included).</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumInputTokens { get; set; }

    /// <summary>Gets or sets the most output tokens (reasoning ones included).</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumOutputTokens { get; set; }

    /// <summary>Gets or sets the most input plus output tokens.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumTotalTokens { get; set; }

    /// <summary>Gets or sets the most cost, in US dollars.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(typeof(decimal), "0.000001", "1000000000")]
    public decimal? MaximumCost { get; set; }

    /// <summary>Gets whether any ceiling is set.</summary>
    public bool HasAny => MaximumInputTokens.HasValue || MaximumOutputTokens.HasValue || MaximumTotalTokens.HasValue || MaximumCost.HasValue;

    /// <summary>Lists what is wrong with these limits.</summary>
    /// <param name="prefix">A prefix for each message, naming where the limits are configured.</param>
    /// <returns>The problems; empty when the limits are valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return results.Select(r => $"{prefix}{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}").ToList();
    }

    /// <summary>Returns a copy, so later changes to this instance do not move a ceiling in force.</summary>
    /// <returns>The copy.</returns>
    public BudgetLimits Clone() => (BudgetLimits)MemberwiseClone();

    /// <inheritdoc/>
    public override string ToString() =>
        $"input ≤ {Show(MaximumInputTokens)}, output ≤ {Show(MaximumOutputTokens)}, total ≤ {Show(MaximumTotalTokens)}, cost ≤ {(MaximumCost is { } c ? $"${c}" : "∞")}";

    private static string Show(long? value) => value?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "∞";
}
