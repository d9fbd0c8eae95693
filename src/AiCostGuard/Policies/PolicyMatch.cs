namespace AiCostGuard;

/// <summary>
/// Which calls a <see cref="ModelPolicy"/> applies to: every value set here must equal the call's attribution (ordinal,
/// case-sensitive), every tag in <see cref="Tags"/> must be among its tags, and its model must match one of
/// <see cref="Models"/> when any are listed. Nothing set matches every call.
/// </summary>
/// <remarks>
/// A call's data classification is an attribution tag — by convention the key <c>data</c>
/// (<c>new CostAttribution { Tags = new Dictionary&lt;string, string&gt; { ["data"] = "confidential" } }</c>), matched
/// here with <c>"Tags": { "data": "confidential" }</c>. Tags travel with the attribution: ambient for a block of code,
/// or set per call.
/// </remarks>
public sealed class PolicyMatch
{
    /// <summary>Gets or sets the tenant the policy applies to, or <see langword="null"/> for any.</summary>
    public string? Tenant { get; set; }

    /// <summary>Gets or sets the team the policy applies to, or <see langword="null"/> for any.</summary>
    public string? Team { get; set; }

    /// <summary>Gets or sets the feature the policy applies to, or <see langword="null"/> for any.</summary>
    public string? Feature { get; set; }

    /// <summary>Gets or sets the user the policy applies to, or <see langword="null"/> for any.</summary>
    public string? User { get; set; }

    /// <summary>Gets or sets the cost center the policy applies to, or <see langword="null"/> for any.</summary>
    public string? CostCenter { get; set; }

    /// <summary>Gets or sets the environment the policy applies to (<c>dev</c>, <c>prod</c>), or <see langword="null"/> for any.</summary>
    public string? Environment { get; set; }

    /// <summary>Gets the attribution tags a call must carry, such as the data classification <c>data</c> = <c>confidential</c>.</summary>
    public IDictionary<string, string> Tags { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets the model patterns the policy applies to (<c>o3*</c>, <c>azure/*</c>), matched like
    /// <see cref="ModelPolicy.AllowedModels"/>; empty applies to every model.
    /// </summary>
    public IList<string> Models { get; private set; } = new List<string>();
}
