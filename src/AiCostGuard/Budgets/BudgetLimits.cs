using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// Ceilings for one request (<c>CostGovernanceOptions.RequestLimits</c>) or for a <see cref="BudgetScope"/> — a run
/// that many calls share. An unset ceiling does not limit.
/// </summary>
/// <remarks>
/// <para>Token and cost ceilings apply to requests and scopes; the caps on model calls, tool calls, fan-out, child
/// scopes and wall time apply to scopes only.</para>
/// <para>Limits are validated when the middleware is built or a scope begins: zero, negative and absurd values are rejected.</para>
/// </remarks>
public sealed class BudgetLimits
{
    // A field and a method, not a property: the configuration binder binds every property it sees.
    private long _maximumCostPicos = -1;

    /// <summary>The largest token ceiling accepted: a trillion tokens.</summary>
    public const long LargestTokenLimit = 1_000_000_000_000;

    /// <summary>The largest cost ceiling accepted, in US dollars.</summary>
    public const double LargestCostLimit = 1_000_000_000;

    /// <summary>Gets or sets the most input tokens (cached ones included).</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumInputTokens { get; set { field = value; CeilingsSet = Ceilings.SetMask(this); } }

    /// <summary>Gets or sets the most output tokens (reasoning ones included).</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumOutputTokens { get; set { field = value; CeilingsSet = Ceilings.SetMask(this); } }

    /// <summary>Gets or sets the most input plus output tokens.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [Range(1, LargestTokenLimit)]
    public long? MaximumTotalTokens { get; set { field = value; CeilingsSet = Ceilings.SetMask(this); } }

    /// <summary>Gets or sets the most cost, in US dollars.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling.</value>
    [DecimalRange("0.000001", "1000000000")]
    public decimal? MaximumCost { get; set { field = value; _maximumCostPicos = ModelPrice.ExactPicos(value); CeilingsSet = Ceilings.SetMask(this); } }

    /// <summary>Gets or sets the most model calls (steps) in a scope, its children's included.</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [Range(1, 1_000_000_000)]
    public int? MaximumModelCalls { get; set; }

    /// <summary>Gets or sets the most tool calls in a scope, its children's included, counted through the tool loop's function invoker.</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [Range(1, 1_000_000_000)]
    public int? MaximumToolCalls { get; set; }

    /// <summary>Gets or sets the most tool calls run for one model response; the rest are answered "not run".</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [Range(1, 100_000)]
    public int? MaximumParallelToolCalls { get; set; }

    /// <summary>Gets or sets the most model calls in flight at once in a scope; more wait or are rejected, by <c>CostGovernanceOptions.ConcurrencyLimitAction</c>.</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [Range(1, 100_000)]
    public int? MaximumConcurrentModelCalls { get; set; }

    /// <summary>Gets or sets the most child scopes (sub-agents) begun directly inside a scope.</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [Range(0, 1_000_000)]
    public int? MaximumChildScopes { get; set; }

    /// <summary>Gets or sets the longest a scope may make model calls, measured from when it began.</summary>
    /// <value>The default, <see langword="null"/>, sets no cap.</value>
    [TimeSpanRange("00:00:00.001", "365.00:00:00")]
    public TimeSpan? MaximumDuration { get; set; }

    /// <summary>Gets whether any token or cost ceiling is set.</summary>
    public bool HasAny => CeilingsSet != 0;

    /// <summary>Gets whether any cap that applies to scopes only is set.</summary>
    public bool HasRunCaps => MaximumModelCalls.HasValue || MaximumToolCalls.HasValue || MaximumParallelToolCalls.HasValue
        || MaximumConcurrentModelCalls.HasValue || MaximumChildScopes.HasValue || MaximumDuration.HasValue;

    /// <summary>Which rows of <see cref="Ceilings"/> are set, one bit each in the table's order, kept by the ceilings' setters.</summary>
    internal int CeilingsSet { get; private set; }

    /// <summary>Lists what is wrong with these limits.</summary>
    /// <param name="prefix">A prefix for each message, naming where the limits are configured.</param>
    /// <returns>The problems; empty when the limits are valid.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        return SettingRules.Check(this, prefix);
    }

    /// <summary>Returns a copy, so later changes to this instance do not move a ceiling in force.</summary>
    /// <returns>The copy.</returns>
    public BudgetLimits Clone() => (BudgetLimits)MemberwiseClone();

    /// <summary>The cost ceiling in whole picodollars, for the integer checks of <see cref="Ceilings"/>; negative when unset or not a whole number of them.</summary>
    internal long MaximumCostPicos() => _maximumCostPicos;

    /// <inheritdoc/>
    public override string ToString() => Ceilings.Describe(this);
}
