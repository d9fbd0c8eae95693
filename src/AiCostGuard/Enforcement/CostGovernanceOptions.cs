using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AiCostGuard;

/// <summary>
/// Configures <see cref="CostGovernanceChatClient"/>: per-request ceilings, what to do over budget, required
/// attribution, unknown-model policy and price overrides. Binds from the <c>"AiCostGuard"</c> configuration section.
/// </summary>
/// <remarks>
/// The options are validated once, when the client is built, into one <see cref="OptionsValidationException"/> that
/// lists every problem; the client keeps a copy, so later changes to this instance have no effect on it.
/// </remarks>
public sealed class CostGovernanceOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "AiCostGuard";

    /// <summary>Gets or sets the ceilings every single request must fit.</summary>
    /// <value>The default sets no ceiling.</value>
    [Required]
    public BudgetLimits RequestLimits { get; set; } = new();

    /// <summary>Gets or sets what happens to a call whose worst case does not fit a ceiling.</summary>
    /// <value>The default value is <see cref="OverBudgetAction.Reject"/>.</value>
    public OverBudgetAction OverBudgetAction { get; set; } = OverBudgetAction.Reject;

    /// <summary>Gets or sets the fewest output tokens a clamped call may be left with; below it the call is rejected.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 10_000_000)]
    public int MinimumClampedOutputTokens { get; set; } = 64;

    /// <summary>
    /// Gets or sets the fewest output tokens a clamp may leave a call to a model that reasons
    /// (<see cref="ModelPrice.SupportsReasoning"/>): its reasoning tokens count against <c>MaxOutputTokens</c>, so a tighter
    /// clamp can be spent on reasoning alone and bill an empty answer. Below it the call is refused rather than clamped.
    /// </summary>
    /// <value>The default value is 1024.</value>
    [Range(1, 10_000_000)]
    public int MinimumClampedReasoningOutputTokens { get; set; } = 1024;

    /// <summary>
    /// Gets or sets the reasoning effort (<c>ChatOptions.Reasoning</c>) a clamped call to a model that reasons is sent
    /// with when it asks for more, or for no level: less reasoning leaves more of the clamped output for the answer.
    /// </summary>
    /// <value>The default value is <see cref="ReasoningEffort.Low"/>.</value>
    public ReasoningEffort ClampedReasoningEffort { get; set; } = ReasoningEffort.Low;

    /// <summary>Gets or sets whether decisions are enforced or only recorded.</summary>
    /// <value>The default value is <see cref="EnforcementMode.Enforce"/>.</value>
    public EnforcementMode Mode { get; set; } = EnforcementMode.Enforce;

    /// <summary>Gets or sets the attribution dimensions every call must carry, e.g. <c>"Team, Feature"</c> in configuration.</summary>
    /// <value>The default value is <see cref="AttributionDimensions.None"/>.</value>
    public AttributionDimensions RequiredAttribution { get; set; }

    /// <summary>Gets or sets what happens to a call that lacks a required attribution dimension.</summary>
    /// <value>The default value is <see cref="UnattributedCallPolicy.Reject"/>.</value>
    public UnattributedCallPolicy UnattributedCalls { get; set; } = UnattributedCallPolicy.Reject;

    /// <summary>Gets or sets what happens to a call to a model without a price.</summary>
    /// <value>The default value is <see cref="UnknownModelPolicy.Reject"/>: an unknown model is never a silent zero.</value>
    public UnknownModelPolicy UnknownModels { get; set; } = UnknownModelPolicy.Reject;

    /// <summary>
    /// Gets or sets the worst-case output assumed for a call that sets no <c>MaxOutputTokens</c>, to a model whose
    /// price entry does not state its maximum output.
    /// </summary>
    /// <value>The default value is 4,096.</value>
    [Range(1, 10_000_000)]
    public int DefaultMaximumOutputTokens { get; set; } = 4096;

    /// <summary>Gets or sets how an agent run ends when it nears a cap or ceiling of its <see cref="BudgetScope"/>.</summary>
    /// <value>The default value is <see cref="AiCostGuard.RunLimitAction.Stop"/>.</value>
    public RunLimitAction RunLimitAction { get; set; } = RunLimitAction.Stop;

    /// <summary>
    /// Gets the degrade ladder: model ids from the most to the least capable. With <see cref="AiCostGuard.RunLimitAction.Degrade"/>,
    /// a call that no longer fits its cost ceiling goes to the first model below its own on the ladder that fits.
    /// Every model must be priced.
    /// </summary>
    public IList<string> DegradeModels { get; private set; } = [];

    /// <summary>Gets or sets what a model call does when its scope already has its maximum of concurrent calls in flight.</summary>
    /// <value>The default value is <see cref="AiCostGuard.ConcurrencyLimitAction.Wait"/>.</value>
    public ConcurrencyLimitAction ConcurrencyLimitAction { get; set; } = ConcurrencyLimitAction.Wait;

    /// <summary>Gets price overrides and additions by model id; they win over <see cref="Catalog"/>.</summary>
    public IDictionary<string, ModelPrice> Prices { get; private set; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the self-hosted GPU pools (vLLM, Ollama, TGI): a call to a model a pool serves is priced at call time — its
    /// worst case before it is sent, its usage after — by its token share of the pool's capacity
    /// (<see cref="GpuPool.CostPerToken"/>) instead of a per-token list price, so budgets and envelopes hold for it too.
    /// </summary>
    /// <remarks>Its records are noted <see cref="PricingNotes.GpuPool"/>. A model may be in one pool only, and not in <see cref="Prices"/> as well.</remarks>
    public IList<GpuPool> GpuPools { get; private set; } = new List<GpuPool>();

    /// <summary>Gets model aliases, such as Azure OpenAI deployment names, mapped to the catalog model they run (<c>"prod-chat": "gpt-4o"</c>).</summary>
    public IDictionary<string, string> ModelAliases { get; private set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the price catalog.</summary>
    /// <value>The default, <see langword="null"/>, uses <see cref="PriceCatalog.Default"/>.</value>
    public PriceCatalog? Catalog { get; set; }

    /// <summary>
    /// Gets or sets what the client learns of the model families it estimates rather than counts (Claude, Gemini,
    /// Llama, …) from the usage their providers report; share one instance between clients to learn once.
    /// </summary>
    /// <value>The default, <see langword="null"/>, gives each client its own <see cref="InputTokenCalibrator"/>.</value>
    public InputTokenCalibrator? InputCalibrator { get; set; }

    /// <summary>Gets or sets the worst cases that bound input which cannot be measured before sending: files a request refers to but does not carry.</summary>
    /// <value>The default bounds a file reference at <see cref="ContentBoundOptions.DefaultMaximumTokensPerFileReference"/> tokens.</value>
    [Required]
    public ContentBoundOptions ContentBounds { get; set; } = new();

    /// <summary>Gets or sets the ledger that records every call.</summary>
    /// <value>The default, <see langword="null"/>, uses the <see cref="ICostLedger"/> registered in the service provider, else a new <see cref="InMemoryCostLedger"/>.</value>
    public ICostLedger? Ledger { get; set; }

    /// <summary>Gets or sets what is reported to OpenTelemetry, how metric tags are bounded, and whether attribution travels in W3C baggage.</summary>
    /// <value>The default reports spans and metrics to any listener, with at most 100 values per metric tag, and no baggage.</value>
    [Required]
    public CostTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Gets the budgets that reset with time (daily, weekly, monthly, rolling), kept per attribution key.</summary>
    /// <remarks>A call's worst case is reserved in every period budget its attribution falls in, after its scopes admitted it.</remarks>
    public IList<PeriodBudgetOptions> PeriodBudgets { get; private set; } = new List<PeriodBudgetOptions>();

    /// <summary>
    /// Gets the adaptive envelopes: period budgets whose cost ceiling grows with the successful outcomes recorded in the
    /// client's ledger (<see cref="CostOutcomes.Record"/>), up to a cap, while the cost per success stays at its target.
    /// </summary>
    /// <remarks>A call's worst case is reserved against each envelope's ceiling as it stands, after the period budgets; the spend is kept in <see cref="BudgetStore"/>.</remarks>
    public IList<AdaptiveEnvelopeOptions> AdaptiveEnvelopes { get; private set; } = new List<AdaptiveEnvelopeOptions>();

    /// <summary>Gets the thresholds on spend velocity (cost per second, minute or hour), kept per attribution key.</summary>
    public IList<SpendVelocityRule> SpendVelocity { get; private set; } = new List<SpendVelocityRule>();

    /// <summary>
    /// Gets the model policies: which models, providers, prices and call rates a call may use, by its attribution and
    /// data classification. Checked after the model is resolved, before the call is estimated; see <see cref="ModelPolicy"/>.
    /// </summary>
    public IList<ModelPolicy> Policies { get; private set; } = new List<ModelPolicy>();

    /// <summary>Gets or sets what happens to a call that no policy in <see cref="Policies"/> matches.</summary>
    /// <value>The default value is <see cref="AiCostGuard.PolicyDefault.Allow"/>.</value>
    public PolicyDefault PolicyDefault { get; set; } = PolicyDefault.Allow;

    /// <summary>Gets the routes that send a call to the cheapest of their candidate models that fits it, tried in order (see <see cref="ModelRoute"/>).</summary>
    /// <remarks>A route runs after attribution and before the model is priced and the budgets decide, which they then do on the model it chose.</remarks>
    public IList<ModelRoute> Routes { get; private set; } = new List<ModelRoute>();

    /// <summary>Gets or sets where <see cref="PeriodBudgets"/> keep their spend.</summary>
    /// <value>The default, <see langword="null"/>, uses the <see cref="IBudgetStore"/> registered in the service provider, else a new <see cref="InMemoryBudgetStore"/> per client.</value>
    public IBudgetStore? BudgetStore { get; set; }

    /// <summary>
    /// Returns a copy whose limits, lists and dictionaries are its own, so that configuring one pipeline does not
    /// change the options registered for every other.
    /// </summary>
    /// <returns>The copy.</returns>
    public CostGovernanceOptions Clone()
    {
        var copy = (CostGovernanceOptions)MemberwiseClone();
        copy.RequestLimits = RequestLimits?.Clone()!;
        copy.Telemetry = Telemetry?.Clone()!;
        copy.ContentBounds = ContentBounds?.Clone()!;
        copy.DegradeModels = [.. DegradeModels];
        copy.Prices = new Dictionary<string, ModelPrice>(Prices, StringComparer.OrdinalIgnoreCase);
        copy.ModelAliases = new Dictionary<string, string>(ModelAliases, StringComparer.OrdinalIgnoreCase);
        copy.PeriodBudgets = [.. PeriodBudgets];
        copy.SpendVelocity = [.. SpendVelocity];
        copy.AdaptiveEnvelopes = [.. AdaptiveEnvelopes];
        copy.GpuPools = [.. GpuPools];
        copy.Policies = [.. Policies];
        copy.Routes = [.. Routes];
        return copy;
    }

    /// <summary>Lists every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = SettingRules.Check(this);

        if (RequestLimits is not null)
        {
            problems.AddRange(RequestLimits.Validate($"{nameof(RequestLimits)}."));
            if (RequestLimits.HasRunCaps)
            {
                problems.Add($"{nameof(RequestLimits)}: caps on model calls, tool calls, fan-out, child scopes and wall time apply to a BudgetScope (a run), not to a single request.");
            }
            if (OverBudgetAction == OverBudgetAction.Clamp && RequestLimits.MaximumOutputTokens < MinimumClampedOutputTokens)
            {
                problems.Add($"{nameof(MinimumClampedOutputTokens)}: {MinimumClampedOutputTokens} is above {nameof(RequestLimits)}.{nameof(BudgetLimits.MaximumOutputTokens)} ({RequestLimits.MaximumOutputTokens}), so every clamped call would be rejected.");
            }
        }

        if (Telemetry is not null)
        {
            problems.AddRange(SettingRules.Check(Telemetry, $"{nameof(Telemetry)}."));
        }

        if (ContentBounds is not null)
        {
            problems.AddRange(SettingRules.Check(ContentBounds, $"{nameof(ContentBounds)}."));
        }

        CheckDefined(OverBudgetAction, nameof(OverBudgetAction), problems);
        CheckDefined(Mode, nameof(Mode), problems);
        CheckDefined(UnattributedCalls, nameof(UnattributedCalls), problems);
        CheckDefined(UnknownModels, nameof(UnknownModels), problems);
        CheckDefined(RunLimitAction, nameof(RunLimitAction), problems);
        CheckDefined(ConcurrencyLimitAction, nameof(ConcurrencyLimitAction), problems);
        if (!Enum.IsDefined(ClampedReasoningEffort))
        {
            problems.Add($"{nameof(ClampedReasoningEffort)}: '{ClampedReasoningEffort}' is not a reasoning effort.");
        }

        if (MinimumClampedReasoningOutputTokens < MinimumClampedOutputTokens)
        {
            problems.Add($"{nameof(MinimumClampedReasoningOutputTokens)}: {MinimumClampedReasoningOutputTokens} is below {nameof(MinimumClampedOutputTokens)} ({MinimumClampedOutputTokens}); a model that reasons needs at least the room of one that does not.");
        }

        if (RunLimitAction == RunLimitAction.Degrade && DegradeModels.Count == 0)
        {
            problems.Add($"{nameof(DegradeModels)}: {nameof(RunLimitAction)} is Degrade but the ladder is empty.");
        }

        foreach (string model in DegradeModels)
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                problems.Add($"{nameof(DegradeModels)}: a model id is empty.");
            }
        }
        if ((RequiredAttribution & ~(AttributionDimensions)0b11_1111) != 0)
        {
            problems.Add($"{nameof(RequiredAttribution)}: '{RequiredAttribution}' is not a combination of attribution dimensions.");
        }

        foreach (KeyValuePair<string, ModelPrice> price in Prices)
        {
            if (string.IsNullOrWhiteSpace(price.Key))
            {
                problems.Add($"{nameof(Prices)}: a model id is empty.");
                continue;
            }

            if (price.Value is null)
            {
                problems.Add($"{nameof(Prices)}[{price.Key}]: the price is missing.");
                continue;
            }

            problems.AddRange(SettingRules.Check(price.Value, $"{nameof(Prices)}[{price.Key}]."));
        }

        ValidateGpuPools(problems);
        ValidateTimeWindows(problems);
        if (Policies.Count > 0 || PolicyDefault != PolicyDefault.Allow)
        {
            problems.AddRange(PolicyValidation.Validate(Policies, PolicyDefault, PricesInForce(), ModelAliases.Keys, nameof(Policies)));
        }

        problems.AddRange(ModelRouter.Validate(Routes, Routes.Count == 0 ? null : PricesInForce()));
        return problems;
    }

    /// <summary>The catalog the client will price with; without the additions that are themselves invalid, which are reported on their own.</summary>
    internal PriceCatalog PricesInForce()
    {
        try
        {
            return BuildCatalog();
        }
        catch (ArgumentException)
        {
            return Catalog ?? PriceCatalog.Default;
        }
    }

    /// <summary>The catalog a client of these options prices with: <see cref="Catalog"/> with the overrides, GPU pools and aliases.</summary>
    internal PriceCatalog BuildCatalog() => (Catalog ?? PriceCatalog.Default).WithOverrides(Prices).WithGpuPools(GpuPools).WithAliases(ModelAliases);

    /// <summary>Throws when the options are not valid.</summary>
    /// <exception cref="OptionsValidationException">The options are not valid; the exception lists every problem.</exception>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> problems = Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(SectionName, typeof(CostGovernanceOptions), problems);
        }
    }

    private void ValidateGpuPools(List<string> problems)
    {
        GpuPool[] pools = [.. GpuPools];
        problems.AddRange(GpuPool.Validate(pools, nameof(GpuPools)));
        for (int i = 0; i < pools.Length; i++)
        {
            foreach (string model in pools[i]?.Models ?? [])
            {
                if (model is not null && Prices.ContainsKey(model))
                {
                    problems.Add($"{nameof(GpuPools)}[{i}].models: '{model}' also has a price in {nameof(Prices)}; a model is priced by its pool or by its price, not both.");
                }
            }
        }
    }

    private void ValidateTimeWindows(List<string> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < PeriodBudgets.Count; i++)
        {
            PeriodBudgetOptions? budget = PeriodBudgets[i];
            if (budget is null)
            {
                problems.Add($"{nameof(PeriodBudgets)}[{i}]: the budget is missing.");
                continue;
            }

            problems.AddRange(budget.Validate($"{nameof(PeriodBudgets)}[{i}]."));
            if (DegradeModels.Count == 0 && budget.Tiers.Any(t => t?.Action == BudgetTierAction.Degrade))
            {
                problems.Add($"{nameof(PeriodBudgets)}[{i}].{nameof(PeriodBudgetOptions.Tiers)} of budget '{budget.Name}': a tier degrades calls but {nameof(DegradeModels)} is empty.");
            }
            if (budget.Name is not null && !names.Add(budget.Name))
            {
                problems.Add($"{nameof(PeriodBudgets)}[{i}].{nameof(PeriodBudgetOptions.Name)}: '{budget.Name}' names two period budgets; they would share one store key.");
            }
        }

        for (int i = 0; i < AdaptiveEnvelopes.Count; i++)
        {
            if (AdaptiveEnvelopes[i] is not { } envelope)
            {
                problems.Add($"{nameof(AdaptiveEnvelopes)}[{i}]: the envelope is missing.");
                continue;
            }

            problems.AddRange(envelope.Validate($"{nameof(AdaptiveEnvelopes)}[{i}]."));
            if (envelope.Name is not null && !names.Add(envelope.Name))
            {
                problems.Add($"{nameof(AdaptiveEnvelopes)}[{i}].{nameof(AdaptiveEnvelopeOptions.Name)}: '{envelope.Name}' already names a period budget or envelope; they would share one store key.");
            }
        }

        for (int i = 0; i < SpendVelocity.Count; i++)
        {
            if (SpendVelocity[i] is not { } rule)
            {
                problems.Add($"{nameof(SpendVelocity)}[{i}]: the rule is missing.");
                continue;
            }

            problems.AddRange(rule.Validate($"{nameof(SpendVelocity)}[{i}]."));
        }
    }

    private static void CheckDefined<TEnum>(TEnum value, string name, List<string> problems)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            problems.Add($"{name}: '{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }
}
