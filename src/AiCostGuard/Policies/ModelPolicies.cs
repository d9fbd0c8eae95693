using System.Globalization;
using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>
/// The policy step of the pipeline: the configured <see cref="ModelPolicy"/> list, compiled once, evaluated for each
/// call after its model is resolved and before it is estimated.
/// </summary>
/// <remarks>
/// What a policy says about a model (its patterns, providers and price ceilings) is worked out once per resolved model
/// and kept beside it, so a call only compares its attribution and, for call rates, counts itself. Thread-safe.
/// </remarks>
internal sealed class ModelPolicies
{
    /// <summary>The most policies one client may have: each call walks them all.</summary>
    public const int MaximumPolicies = 256;

    private readonly Rule[] _rules;
    private readonly bool _denyUnmatched;
    private readonly bool _enforceDefault;
    private readonly PriceCatalog _catalog;
    private readonly string? _clientProvider;
    private readonly TimeProvider _time;
    private readonly AttributionKeys? _rateKeys;
    private readonly ConditionalWeakTable<ModelProfile, ModelFacts> _facts = new();
    private readonly ConditionalWeakTable<ModelProfile, ModelFacts>.CreateValueCallback _build;

    private ModelPolicies(IList<ModelPolicy> policies, PolicyDefault unmatched, EnforcementMode mode, PriceCatalog catalog, string? clientProvider, TimeProvider time)
    {
        _denyUnmatched = unmatched == PolicyDefault.Deny;
        _enforceDefault = mode == EnforcementMode.Enforce;
        _catalog = catalog;
        _clientProvider = clientProvider;
        _time = time;
        _build = Build;
        _rules = new Rule[policies.Count];
        var rateDimensions = new List<AttributionDimensions>();
        for (int i = 0; i < _rules.Length; i++)
        {
            // A copy: later changes to the options must not reach a built client.
            ModelPolicy policy = Snapshot(policies[i]);
            int rateIndex = -1;
            if (policy.CallRate is { } rate)
            {
                rateIndex = rateDimensions.Count;
                rateDimensions.Add(rate.Dimensions);
            }

            _rules[i] = new Rule(policy, (policy.Mode ?? mode) == EnforcementMode.Enforce, rateIndex);
        }

        _rateKeys = rateDimensions.Count > 0 ? new AttributionKeys([.. rateDimensions]) : null;
    }

    /// <summary>The policy step, or <see langword="null"/> when nothing is configured: the pipeline then only checks for null.</summary>
    public static ModelPolicies? Create(IList<ModelPolicy> policies, PolicyDefault unmatched, EnforcementMode mode, PriceCatalog catalog, string? clientProvider, TimeProvider time) =>
        policies.Count == 0 && unmatched == PolicyDefault.Allow ? null : new ModelPolicies(policies, unmatched, mode, catalog, clientProvider, time);

    /// <summary>The policy that denies a call to <paramref name="profile"/> for <paramref name="attribution"/>, if any; a call it lets through is counted in its call rates.</summary>
    public PolicyVerdict Evaluate(CostAttribution attribution, ModelProfile profile)
    {
        ModelFacts? facts = null;
        PolicyVerdict shadow = default;
        bool matched = false;
        bool rated = false;
        for (int i = 0; i < _rules.Length; i++)
        {
            Rule rule = _rules[i];
            if (!rule.Matches(attribution) || !(facts ??= _facts.GetValue(profile, _build)).Selected[i])
            {
                continue;
            }

            matched = true;
            rated |= rule.RateIndex >= 0;
            if (facts.Denials[i] is { } reason)
            {
                if (rule.IsEnforced)
                {
                    return new PolicyVerdict(rule.Name, reason, true, null);
                }

                shadow = shadow.Policy is null ? new PolicyVerdict(rule.Name, reason, false, null) : shadow;
            }
        }

        if (!matched && _denyUnmatched)
        {
            string reason = $"No policy allows the model call to '{profile.ModelId ?? "(no model)"}' for {attribution}, and {nameof(PolicyDefault)} is {nameof(PolicyDefault.Deny)}.";
            return new PolicyVerdict(ModelPolicy.DefaultPolicyName, reason, _enforceDefault, null);
        }

        return rated ? Count(attribution, facts!, shadow) : shadow;
    }

    /// <summary>Counts the call in the rates of the policies that matched it; the first full rate denies it, and gives back what the ones before it counted.</summary>
    private PolicyVerdict Count(CostAttribution attribution, ModelFacts facts, PolicyVerdict shadow)
    {
        string[] keys = _rateKeys!.For(attribution);
        DateTimeOffset now = _time.GetUtcNow();
        Span<bool> took = stackalloc bool[_rules.Length];
        for (int i = 0; i < _rules.Length; i++)
        {
            Rule rule = _rules[i];
            if (rule.RateIndex < 0 || !facts.Selected[i] || !rule.Matches(attribution))
            {
                continue;
            }

            string key = keys[rule.RateIndex];
            if (rule.Window!.TryTake(key, now, out DateTimeOffset retryAt))
            {
                took[i] = true;
                continue;
            }

            string reason = string.Create(CultureInfo.InvariantCulture, $"The policy '{rule.Name}' lets at most {rule.Policy.CallRate!.MaximumCalls} calls through in any {rule.Policy.CallRate.Window} for '{key}', and the window is full until {retryAt:O}.");
            if (!rule.IsEnforced)
            {
                shadow = shadow.Policy is null ? new PolicyVerdict(rule.Name, reason, false, retryAt) : shadow;
                continue;
            }

            for (int j = 0; j < i; j++)
            {
                if (took[j])
                {
                    _rules[j].Window!.Return(keys[_rules[j].RateIndex]);
                }
            }

            return new PolicyVerdict(rule.Name, reason, true, retryAt);
        }

        return shadow;
    }

    private ModelFacts Build(ModelProfile profile)
    {
        ModelNames names = ModelNames.For(profile.ModelId, _catalog, _clientProvider, profile.Price);
        var facts = new ModelFacts(new bool[_rules.Length], new string?[_rules.Length]);
        for (int i = 0; i < _rules.Length; i++)
        {
            facts.Selected[i] = Selects(_rules[i].Policy, names);
            facts.Denials[i] = Check(_rules[i].Policy, names, profile.Price);
        }

        return facts;
    }

    /// <summary>Whether the policy's <see cref="PolicyMatch.Models"/> take in the model.</summary>
    internal static bool Selects(ModelPolicy policy, ModelNames names)
    {
        IList<string> models = policy.Match.Models;
        if (models.Count == 0)
        {
            return true;
        }

        foreach (string pattern in models)
        {
            if (ModelPattern.MatchesAny(pattern, names))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the policy denies a call to the model, or <see langword="null"/> when what it says about models lets the call through.</summary>
    internal static string? Check(ModelPolicy policy, ModelNames names, ModelPrice? price)
    {
        string model = names.ModelId is null ? "a call naming no model" : $"'{names.ModelId}'";
        if (policy.DenyAll)
        {
            return $"The policy '{policy.Name}' denies every call it matches, and matches this call to {model}.";
        }

        if (policy.AllowedModels.Count > 0 && !policy.AllowedModels.Any(p => ModelPattern.MatchesAny(p, names)))
        {
            return $"The policy '{policy.Name}' allows only {string.Join(", ", policy.AllowedModels)}; {model} is not one of them.";
        }

        if (policy.ApprovedProviders.Count > 0 && !policy.ApprovedProviders.Contains(names.Provider ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            return $"The policy '{policy.Name}' approves only the providers {string.Join(", ", policy.ApprovedProviders)}; {model} goes to '{names.Provider ?? "an unknown provider"}'.";
        }

        if (policy.MaximumInputPerMillion is { } input && !(price?.InputPerMillion <= input))
        {
            return price is null
                ? string.Create(CultureInfo.InvariantCulture, $"The policy '{policy.Name}' allows input at ${input} per million tokens at most; {model} has no price, so it cannot be shown to be within it.")
                : string.Create(CultureInfo.InvariantCulture, $"The policy '{policy.Name}' allows input at ${input} per million tokens at most; {model} costs ${price.InputPerMillion}.");
        }

        if (policy.MaximumOutputPerMillion is { } output && !(price?.OutputPerMillion <= output))
        {
            return price is null
                ? string.Create(CultureInfo.InvariantCulture, $"The policy '{policy.Name}' allows output at ${output} per million tokens at most; {model} has no price, so it cannot be shown to be within it.")
                : string.Create(CultureInfo.InvariantCulture, $"The policy '{policy.Name}' allows output at ${output} per million tokens at most; {model} costs ${price.OutputPerMillion}.");
        }

        return null;
    }

    private static ModelPolicy Snapshot(ModelPolicy policy)
    {
        var copy = new ModelPolicy
        {
            Name = policy.Name,
            DenyAll = policy.DenyAll,
            MaximumInputPerMillion = policy.MaximumInputPerMillion,
            MaximumOutputPerMillion = policy.MaximumOutputPerMillion,
            Mode = policy.Mode,
            CallRate = policy.CallRate is { } rate ? new PolicyCallRate { MaximumCalls = rate.MaximumCalls, Window = rate.Window, Dimensions = rate.Dimensions } : null,
            Match = new PolicyMatch
            {
                Tenant = policy.Match.Tenant,
                Team = policy.Match.Team,
                Feature = policy.Match.Feature,
                User = policy.Match.User,
                CostCenter = policy.Match.CostCenter,
                Environment = policy.Match.Environment,
            },
        };
        foreach (KeyValuePair<string, string> tag in policy.Match.Tags)
        {
            copy.Match.Tags.Add(tag);
        }

        foreach (string model in policy.Match.Models)
        {
            copy.Match.Models.Add(model);
        }

        foreach (string model in policy.AllowedModels)
        {
            copy.AllowedModels.Add(model);
        }

        foreach (string provider in policy.ApprovedProviders)
        {
            copy.ApprovedProviders.Add(provider);
        }

        return copy;
    }

    /// <summary>What the policies say about one model, by policy index.</summary>
    private sealed record ModelFacts(bool[] Selected, string?[] Denials);

    /// <summary>One policy, compiled: its attribution values as a list to compare, its mode, its call-rate window.</summary>
    private sealed class Rule
    {
        private readonly (AttributionDimensions Dimension, string Value)[] _values;
        private readonly KeyValuePair<string, string>[] _tags;

        public Rule(ModelPolicy policy, bool enforced, int rateIndex)
        {
            Policy = policy;
            Name = policy.Name!;
            IsEnforced = enforced;
            RateIndex = rateIndex;
            Window = policy.CallRate is { } rate ? new CallRateWindow(rate) : null;
            PolicyMatch match = policy.Match;
            _values = [.. new (AttributionDimensions, string?)[]
            {
                (AttributionDimensions.Tenant, match.Tenant),
                (AttributionDimensions.Team, match.Team),
                (AttributionDimensions.Feature, match.Feature),
                (AttributionDimensions.User, match.User),
                (AttributionDimensions.CostCenter, match.CostCenter),
                (AttributionDimensions.Environment, match.Environment),
            }.Where(v => v.Item2 is not null).Select(v => (v.Item1, v.Item2!))];
            _tags = [.. match.Tags];
        }

        public ModelPolicy Policy { get; }

        public string Name { get; }

        public bool IsEnforced { get; }

        /// <summary>The index of the policy's key in the attribution keys of the call rates; -1 without a call rate.</summary>
        public int RateIndex { get; }

        public CallRateWindow? Window { get; }

        public bool Matches(CostAttribution attribution)
        {
            foreach ((AttributionDimensions dimension, string value) in _values)
            {
                if (!string.Equals(attribution.Get(dimension), value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            foreach (KeyValuePair<string, string> tag in _tags)
            {
                if (!attribution.Tags.TryGetValue(tag.Key, out string? value) || !string.Equals(value, tag.Value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
