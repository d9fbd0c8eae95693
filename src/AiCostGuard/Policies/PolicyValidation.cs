using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// Checks the policies once, at startup, against the price catalog in force: each problem names the policy. A policy
/// that can never match, names a model nothing in the catalog answers to, allows none of the models it matches, or
/// contradicts another policy on the same calls is an error, never a rule silently denying or allowing everything.
/// </summary>
internal static class PolicyValidation
{
    public static IReadOnlyList<string> Validate(IList<ModelPolicy> policies, PolicyDefault unmatched, PriceCatalog catalog, IEnumerable<string> aliases, string prefix)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(unmatched))
        {
            problems.Add($"{nameof(PolicyDefault)}: '{unmatched}' is not one of {string.Join(", ", Enum.GetNames<PolicyDefault>())}.");
        }

        if (policies.Count > ModelPolicies.MaximumPolicies)
        {
            problems.Add($"{prefix}: {policies.Count} policies are more than the {ModelPolicies.MaximumPolicies} a client may have.");
            return problems;
        }

        Candidate[]? candidates = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var valid = new List<(int Index, ModelPolicy Policy)>();
        for (int i = 0; i < policies.Count; i++)
        {
            string at = $"{prefix}[{i}]";
            if (policies[i] is not { } policy)
            {
                problems.Add($"{at}: the policy is missing.");
                continue;
            }

            int before = problems.Count;
            CheckShape(policy, at, problems);
            if (policy.Name is not null && !names.Add(policy.Name))
            {
                problems.Add($"{at}.{nameof(ModelPolicy.Name)}: '{policy.Name}' names two policies; denials would not tell them apart.");
            }

            if (problems.Count > before || policy.Match is null)
            {
                continue;
            }

            candidates ??= Candidates(policies, catalog, aliases);
            CheckModels(policy, at, candidates, catalog, problems);
            if (problems.Count == before)
            {
                valid.Add((i, policy));
            }
        }

        if (candidates is not null)
        {
            CheckContradictions(valid, candidates, prefix, problems);
        }

        return problems;
    }

    private static void CheckShape(ModelPolicy policy, string at, List<string> problems)
    {
        string named = policy.Name is null ? "the policy" : $"the policy '{policy.Name}'";
        problems.AddRange(SettingRules.Check(policy, $"{at}."));

        if (string.Equals(policy.Name, ModelPolicy.DefaultPolicyName, StringComparison.Ordinal))
        {
            problems.Add($"{at}.{nameof(ModelPolicy.Name)}: '{ModelPolicy.DefaultPolicyName}' is the name denials by {nameof(PolicyDefault)} are recorded under; choose another.");
        }

        if (policy.Mode is { } mode && !Enum.IsDefined(mode))
        {
            problems.Add($"{at}.{nameof(ModelPolicy.Mode)}: '{mode}' is not one of {string.Join(", ", Enum.GetNames<EnforcementMode>())}.");
        }

        bool constrains = policy.AllowedModels.Count > 0 || policy.ApprovedProviders.Count > 0 || policy.MaximumInputPerMillion is not null
            || policy.MaximumOutputPerMillion is not null || policy.CallRate is not null;
        if (!constrains && !policy.DenyAll)
        {
            problems.Add($"{at}: {named} sets no rule: set {nameof(ModelPolicy.AllowedModels)}, {nameof(ModelPolicy.ApprovedProviders)}, {nameof(ModelPolicy.MaximumInputPerMillion)}, {nameof(ModelPolicy.MaximumOutputPerMillion)}, {nameof(ModelPolicy.CallRate)} or {nameof(ModelPolicy.DenyAll)}.");
        }
        else if (constrains && policy.DenyAll)
        {
            problems.Add($"{at}.{nameof(ModelPolicy.DenyAll)}: {named} denies every call it matches, so its other rules would never apply.");
        }

        foreach (string? provider in policy.ApprovedProviders)
        {
            if (string.IsNullOrWhiteSpace(provider))
            {
                problems.Add($"{at}.{nameof(ModelPolicy.ApprovedProviders)}: a provider of {named} is empty.");
            }
        }

        if (policy.CallRate is { } rate)
        {
            problems.AddRange(SettingRules.Check(rate, $"{at}.{nameof(ModelPolicy.CallRate)}."));

            if (rate.Window is { } window && (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromDays(366)))
            {
                problems.Add($"{at}.{nameof(ModelPolicy.CallRate)}.{nameof(PolicyCallRate.Window)}: {window} is outside 1 second to 366 days.");
            }

            if ((rate.Dimensions & ~(AttributionDimensions)0b11_1111) != 0)
            {
                problems.Add($"{at}.{nameof(ModelPolicy.CallRate)}.{nameof(PolicyCallRate.Dimensions)}: '{rate.Dimensions}' is not a combination of attribution dimensions.");
            }
        }

        if (policy.Match is { } match)
        {
            CheckValue(match.Tenant, nameof(PolicyMatch.Tenant));
            CheckValue(match.Team, nameof(PolicyMatch.Team));
            CheckValue(match.Feature, nameof(PolicyMatch.Feature));
            CheckValue(match.User, nameof(PolicyMatch.User));
            CheckValue(match.CostCenter, nameof(PolicyMatch.CostCenter));
            CheckValue(match.Environment, nameof(PolicyMatch.Environment));
            if (match.Tags.Count > AttributionValue.MaximumTagCount)
            {
                problems.Add($"{at}.{nameof(ModelPolicy.Match)}.{nameof(PolicyMatch.Tags)}: {named} requires {match.Tags.Count} tags, and an attribution carries at most {AttributionValue.MaximumTagCount}, so it can never match.");
            }

            foreach (KeyValuePair<string, string> tag in match.Tags)
            {
                CheckValue(tag.Key, $"{nameof(PolicyMatch.Tags)} key");
                CheckValue(tag.Value ?? string.Empty, $"{nameof(PolicyMatch.Tags)}[{tag.Key}]");
            }
        }

        void CheckValue(string? value, string member)
        {
            if (value is not null && !AttributionValue.IsValid(value, out string? error))
            {
                problems.Add($"{at}.{nameof(ModelPolicy.Match)}.{member}: no attribution can carry '{value}' ({error}), so {named} can never match.");
            }
        }
    }

    private static void CheckModels(ModelPolicy policy, string at, Candidate[] candidates, PriceCatalog catalog, List<string> problems)
    {
        string named = $"the policy '{policy.Name}'";
        int before = problems.Count;
        CheckPatterns(policy.Match.Models, $"{at}.{nameof(ModelPolicy.Match)}.{nameof(PolicyMatch.Models)}", $"{named} can never match");
        CheckPatterns(policy.AllowedModels, $"{at}.{nameof(ModelPolicy.AllowedModels)}", $"{named} would allow nothing under it");
        if (problems.Count > before)
        {
            return;
        }

        Candidate[] matched = [.. candidates.Where(c => ModelPolicies.Selects(policy, c.Names))];
        if (!policy.DenyAll && matched.Length > 0 && !matched.Any(c => ModelPolicies.Check(policy, c.Names, c.Price) is null))
        {
            problems.Add($"{at}: {named} allows none of the priced models it matches; set {nameof(ModelPolicy.DenyAll)} if it is meant to deny them.");
        }

        void CheckPatterns(IList<string> patterns, string member, string consequence)
        {
            foreach (string? pattern in patterns)
            {
                if (string.IsNullOrWhiteSpace(pattern))
                {
                    problems.Add($"{member}: a model pattern of {named} is empty.");
                }
                else if (!(!ModelPattern.IsGlob(pattern) && catalog.TryGetPrice(pattern, out _)) && !candidates.Any(c => ModelPattern.MatchesAny(pattern, c.Names)))
                {
                    problems.Add($"{member}: '{pattern}' matches no model in the price catalog, so {consequence}; check the spelling, or price the model (Prices, ModelAliases).");
                }
            }
        }
    }

    /// <summary>Policies that match the same calls must leave at least one priced model between them.</summary>
    private static void CheckContradictions(List<(int Index, ModelPolicy Policy)> policies, Candidate[] candidates, string prefix, List<string> problems)
    {
        foreach (IGrouping<string, (int Index, ModelPolicy Policy)> same in policies.Where(p => !p.Policy.DenyAll).GroupBy(p => Selector(p.Policy.Match), StringComparer.Ordinal))
        {
            if (same.Count() < 2)
            {
                continue;
            }

            ModelPolicy first = same.First().Policy;
            Candidate[] matched = [.. candidates.Where(c => ModelPolicies.Selects(first, c.Names))];
            if (!matched.Any(c => same.All(p => ModelPolicies.Check(p.Policy, c.Names, c.Price) is null)))
            {
                string indices = string.Join(", ", same.Select(p => $"{prefix}[{p.Index}] '{p.Policy.Name}'"));
                problems.Add($"{indices}: these policies match the same calls and together allow none of the priced models; every such call would be denied.");
            }
        }
    }

    /// <summary>What a policy matches, written one way: policies with equal selectors match the same calls.</summary>
    private static string Selector(PolicyMatch match) => string.Join(
        "\u001f",
        match.Tenant, match.Team, match.Feature, match.User, match.CostCenter, match.Environment,
        string.Join("\u001e", match.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value)),
        string.Join("\u001e", match.Models.Select(m => m.ToUpperInvariant()).Order(StringComparer.Ordinal)));

    /// <summary>
    /// Every model id a call could be priced under: the catalog's models and aliases, and each of them behind every
    /// provider prefix the policies name (<c>azure/gpt-4o</c>), which the catalog prices as the model after the prefix.
    /// </summary>
    private static Candidate[] Candidates(IList<ModelPolicy> policies, PriceCatalog catalog, IEnumerable<string> aliases)
    {
        var plain = new List<Candidate>();
        foreach (KeyValuePair<string, ModelPrice> model in catalog.Models)
        {
            plain.Add(new Candidate(ModelNames.For(model.Key, catalog, null, model.Value), model.Value));
        }

        foreach (string alias in aliases)
        {
            if (catalog.TryGetPrice(alias, out ModelPrice? price))
            {
                plain.Add(new Candidate(ModelNames.For(alias, catalog, null, price), price));
            }
        }

        var prefixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelPolicy? policy in policies)
        {
            if (policy?.Match is null)
            {
                continue;
            }

            foreach (string? pattern in policy.AllowedModels.Concat(policy.Match.Models))
            {
                int slash = pattern?.IndexOf('/', StringComparison.Ordinal) ?? -1;
                if (slash > 0 && !ModelPattern.IsGlob(pattern![..slash]))
                {
                    prefixes.Add(pattern[..slash]);
                }
            }

            foreach (string? provider in policy.ApprovedProviders)
            {
                if (!string.IsNullOrWhiteSpace(provider))
                {
                    prefixes.Add(provider);
                }
            }
        }

        var all = new List<Candidate>(plain);
        foreach (string provider in prefixes)
        {
            foreach (Candidate candidate in plain)
            {
                if (candidate.Names.ModelId is { } id && !id.Contains('/', StringComparison.Ordinal))
                {
                    all.Add(new Candidate(ModelNames.For(provider + "/" + id, catalog, null, candidate.Price), candidate.Price));
                }
            }
        }

        return [.. all];
    }

    private readonly record struct Candidate(ModelNames Names, ModelPrice Price);
}
