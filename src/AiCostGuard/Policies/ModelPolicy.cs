using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// A rule on which models a call may use, chosen by its attribution and data classification (<see cref="Match"/>):
/// allowed model patterns, approved providers, a price ceiling per million tokens, a call rate, or a plain denial.
/// Add it to <see cref="CostGovernanceOptions.Policies"/>; it binds from configuration.
/// </summary>
/// <remarks>
/// <para>
/// Policies are checked after the model is resolved and before anything is estimated or reserved. A call must pass
/// every policy that matches it; the first that fails denies it with a <see cref="PolicyDeniedException"/> naming the
/// policy, recorded as <see cref="BudgetDecision.Denied"/>. In shadow mode (<see cref="Mode"/>, else
/// <see cref="CostGovernanceOptions.Mode"/>) the call is sent and recorded as <see cref="BudgetDecision.ShadowDenied"/>.
/// </para>
/// <para>
/// A call's provider is the prefix of its model id (<c>azure</c> for <c>azure/gpt-4o</c>), else the chat client's
/// <c>ChatClientMetadata.ProviderName</c>, else the provider of its price catalog entry. A model pattern is matched,
/// ignoring case, against the model id, the catalog model an alias stands for, and both qualified by the provider
/// (<c>openai/gpt-4o</c>); <c>*</c> stands for any run of characters and <c>?</c> for one.
/// </para>
/// </remarks>
public sealed class ModelPolicy
{
    /// <summary>The name a denial by <see cref="PolicyDefault.Deny"/> is recorded under; no policy may take it.</summary>
    public const string DefaultPolicyName = "default";

    /// <summary>Gets or sets the policy's name, used in denials, the ledger and spans.</summary>
    /// <value>The default value is <see langword="null"/>; a name is required.</value>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:\-]{1,64}$", ErrorMessage = "The name must be 1 to 64 letters, digits or '_ . : -'.")]
    public string? Name { get; set; }

    /// <summary>Gets or sets which calls the policy applies to.</summary>
    /// <value>The default matches every call.</value>
    [Required]
    public PolicyMatch Match { get; set; } = new();

    /// <summary>Gets or sets whether the policy denies every call it matches (e.g. no <c>o3*</c> in <c>dev</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DenyAll { get; set; }

    /// <summary>Gets the model patterns a matched call may use (<c>azure/*</c>, <c>gpt-4o-mini</c>); empty allows any model.</summary>
    public IList<string> AllowedModels { get; private set; } = new List<string>();

    /// <summary>Gets the providers a matched call may be sent to (<c>azure</c>, <c>openai</c>), ignoring case; empty allows any provider.</summary>
    public IList<string> ApprovedProviders { get; private set; } = new List<string>();

    /// <summary>Gets or sets the highest price per million uncached input tokens a matched call's model may have, at the call's service tier.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling. An unpriced model never passes a ceiling.</value>
    [DecimalRange("0", "1000000")]
    public decimal? MaximumInputPerMillion { get; set; }

    /// <summary>Gets or sets the highest price per million output tokens a matched call's model may have, at the call's service tier.</summary>
    /// <value>The default, <see langword="null"/>, sets no ceiling. An unpriced model never passes a ceiling.</value>
    [DecimalRange("0", "1000000")]
    public decimal? MaximumOutputPerMillion { get; set; }

    /// <summary>Gets or sets the most matched calls let through per window, per attribution key.</summary>
    /// <value>The default, <see langword="null"/>, sets no rate.</value>
    public PolicyCallRate? CallRate { get; set; }

    /// <summary>Gets or sets whether this policy's denials are enforced or only recorded.</summary>
    /// <value>The default, <see langword="null"/>, follows <see cref="CostGovernanceOptions.Mode"/>.</value>
    public EnforcementMode? Mode { get; set; }
}
