using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// Sends each call a <see cref="ModelRoute"/> takes to its cheapest candidate that fits: the lowest worst-case cost
/// (reserved input plus maximum output, at the call's service tier) among the candidates whose context window holds
/// that input and output, whose output limit covers the call's <c>MaxOutputTokens</c>, and that accept what the request
/// uses. A call no route takes, or that asks for the model chosen, keeps the caller's options.
/// </summary>
/// <remarks>
/// Candidates are resolved once, and grouped by tokenizer, so a call's input is estimated once per family rather than
/// once per candidate. Built only when routes are configured; thread-safe: it holds configuration only.
/// </remarks>
internal sealed partial class ModelRouter
{
    private const ModelCapabilities AllCapabilities = ModelCapabilities.Tools | ModelCapabilities.ImageInput | ModelCapabilities.JsonSchema | ModelCapabilities.Reasoning;

    private readonly CompiledRoute[] _routes;
    private readonly ReservedInput _reserved;
    private readonly ILogger _logger;

    private ModelRouter(CompiledRoute[] routes, ReservedInput reserved, ILogger logger) => (_routes, _reserved, _logger) = (routes, reserved, logger);

    /// <summary>The router of <paramref name="routes"/>, which <see cref="Validate"/> found valid; <see langword="null"/> without routes, so an unrouted call pays one null check.</summary>
    public static ModelRouter? Create(IList<ModelRoute> routes, ModelResolver models, ReservedInput reserved, ILogger logger)
    {
        if (routes.Count == 0)
        {
            return null;
        }

        var compiled = new CompiledRoute[routes.Count];
        for (int i = 0; i < compiled.Length; i++)
        {
            ModelRoute route = routes[i];
            var tokenizers = new List<ModelTokenizer>();
            Candidate[] candidates = [.. route.Candidates
                .Select((c, order) =>
                {
                    ModelProfile profile = models.Resolve(c.ModelId);
                    int group = tokenizers.FindIndex(t => ReferenceEquals(t, profile.Tokenizer));
                    if (group < 0)
                    {
                        group = tokenizers.Count;
                        tokenizers.Add(profile.Tokenizer);
                    }

                    return new Candidate(order, c.ModelId, c.Tier, profile, c.Capabilities ?? profile.Price!.Capabilities ?? ModelCapabilities.None, c.ContextWindow ?? profile.Price!.ContextWindow!.Value, group);
                })
                .OrderBy(c => c.Group)
                .ThenBy(c => c.Order)];
            string[] tiers = [.. candidates.Select(c => c.Tier).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)];
            compiled[i] = new CompiledRoute(route.Name, [.. route.Models], candidates, tiers, route.Classifier, route.WhenUnroutable);
        }

        return new ModelRouter(compiled, reserved, logger);
    }

    /// <summary>Where the call goes: the route's choice, or the model asked for when no route takes it.</summary>
    public RouteChoice Route(string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, CostAttribution attribution) =>
        Find(requested) is { } route ? Place(route, requested, messages, options, attribution, quotes: null) : new RouteChoice(requested, options, null, null);

    /// <summary>Where the call would go, and what each candidate of its route would cost it at worst; no candidates when no route takes it.</summary>
    public RouteChoice Quote(string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, CostAttribution attribution, out IReadOnlyList<CandidateQuote>? candidates)
    {
        if (Find(requested) is not { } route)
        {
            candidates = null;
            return new RouteChoice(requested, options, null, null);
        }

        var quotes = new CandidateQuote[route.Candidates.Length];
        RouteChoice choice = Place(route, requested, messages, options, attribution, quotes);
        candidates = Array.TrueForAll(quotes, q => q is not null) ? quotes : [];
        return choice;
    }

    /// <summary>Lists every problem with <paramref name="routes"/>; with <paramref name="catalog"/>, also candidates it does not price or give a context window.</summary>
    public static IEnumerable<string> Validate(IList<ModelRoute> routes, PriceCatalog? catalog)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? catchAll = null;
        for (int i = 0; i < routes.Count; i++)
        {
            ModelRoute? route = routes[i];
            string at = $"Routes[{i}]";
            if (route is null)
            {
                yield return $"{at}: the route is missing.";
                continue;
            }

            if (!string.IsNullOrWhiteSpace(route.Name))
            {
                at += $" ('{route.Name}')";
                if (!names.Add(route.Name))
                {
                    yield return $"{at}.{nameof(ModelRoute.Name)}: '{route.Name}' names two routes.";
                }
            }

            foreach (string problem in SettingRules.Check(route, $"{at}."))
            {
                yield return problem;
            }

            if (!Enum.IsDefined(route.WhenUnroutable))
            {
                yield return $"{at}.{nameof(ModelRoute.WhenUnroutable)}: '{route.WhenUnroutable}' is not one of {string.Join(", ", Enum.GetNames<UnroutableCallAction>())}.";
            }

            string[] models = [.. route.Models];
            if (Array.Exists(models, string.IsNullOrWhiteSpace))
            {
                yield return $"{at}.{nameof(ModelRoute.Models)}: a model id is empty.";
            }

            if (catchAll is not null)
            {
                yield return $"{at}: can never match: {catchAll} before it names no models, so it takes every call.";
            }
            else if (models.Length > 0 && Array.TrueForAll(models, m => m is null || claimed.Contains(m)))
            {
                yield return $"{at}: can never match: routes before it take every model it names ({string.Join(", ", models)}).";
            }

            if (models.Length == 0)
            {
                catchAll ??= string.IsNullOrWhiteSpace(route.Name) ? $"Routes[{i}]" : $"route '{route.Name}'";
            }

            claimed.UnionWith(models.Where(m => m is not null));
            foreach (string problem in ValidateCandidates(route, at, catalog))
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> ValidateCandidates(ModelRoute route, string at, PriceCatalog? catalog)
    {
        if (route.Candidates.Count == 0)
        {
            yield return $"{at}.{nameof(ModelRoute.Candidates)}: the route has no candidates.";
            yield break;
        }

        var seen = new HashSet<(string, string?)>();
        int priced = 0;
        for (int j = 0; j < route.Candidates.Count; j++)
        {
            RouteCandidate? candidate = route.Candidates[j];
            string where = $"{at}.{nameof(ModelRoute.Candidates)}[{j}]";
            if (candidate is null)
            {
                yield return $"{where}: the candidate is missing.";
                continue;
            }

            foreach (string problem in SettingRules.Check(candidate, $"{where}."))
            {
                yield return problem;
            }

            if ((candidate.Capabilities & ~AllCapabilities) is not (null or ModelCapabilities.None))
            {
                yield return $"{where}.{nameof(RouteCandidate.Capabilities)}: '{candidate.Capabilities}' is not a combination of {string.Join(", ", Enum.GetNames<ModelCapabilities>())}.";
            }

            if (string.IsNullOrWhiteSpace(candidate.ModelId))
            {
                continue;
            }

            if (!seen.Add((candidate.ModelId.ToUpperInvariant(), candidate.Tier?.ToUpperInvariant())))
            {
                yield return $"{where}: '{candidate.ModelId}' is listed twice{(candidate.Tier is null ? string.Empty : $" in tier '{candidate.Tier}'")}.";
            }

            if (catalog is null)
            {
                continue;
            }

            if (!catalog.TryGetPrice(candidate.ModelId, out ModelPrice? price))
            {
                yield return $"{where}: '{candidate.ModelId}' has no price in the catalog, and a route picks its candidates by price; add it to Prices or fix the id.";
                continue;
            }

            priced++;
            if ((candidate.ContextWindow ?? price.ContextWindow) is null)
            {
                yield return $"{where}: the catalog gives no context window for '{candidate.ModelId}'; set {nameof(RouteCandidate.ContextWindow)} on the candidate.";
            }
        }

        if (catalog is not null && priced == 0)
        {
            yield return $"{at}.{nameof(ModelRoute.Candidates)}: no candidate has a price, so the route could never weigh one.";
        }

        if (route.Classifier is not null && !route.Candidates.Any(c => c?.Tier is not null))
        {
            yield return $"{at}.{nameof(ModelRoute.Classifier)}: no candidate has a {nameof(RouteCandidate.Tier)}, so a tier the classifier names could never match.";
        }
    }

    private CompiledRoute? Find(string? requested)
    {
        foreach (CompiledRoute route in _routes)
        {
            if (route.Models.Length == 0)
            {
                return route;
            }

            foreach (string model in route.Models)
            {
                if (string.Equals(model, requested, StringComparison.OrdinalIgnoreCase))
                {
                    return route;
                }
            }
        }

        return null;
    }

    private RouteChoice Place(CompiledRoute route, string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, CostAttribution attribution, CandidateQuote[]? quotes)
    {
        ModelCapabilities needs = RequestNeeds.Of(messages, options);
        string? tier = null;
        if (options?.AdditionalProperties?.TryGetValue(ModelRoute.TierProperty, out object? hint) == true && hint is not null)
        {
            tier = hint as string ?? hint.ToString();
        }
        else if (route.Classifier is { } classifier)
        {
            try
            {
                long input = route.Candidates[0].Profile.Tokenizer.Estimate(messages, options, exactAbove: 0).Tokens;
                tier = classifier(new RoutingRequest(route.Name, requested, messages, options, attribution, needs, input));
            }
            catch (Exception e)
            {
                return Unroutable(route, requested, options, $"The classifier of route '{route.Name}' threw {e.GetType().Name}: {e.Message}", [], e);
            }
        }

        if (tier is not null && !route.Tiers.Contains(tier, StringComparer.OrdinalIgnoreCase))
        {
            return Unroutable(route, requested, options, $"Route '{route.Name}' has no tier '{tier}'; its tiers are {string.Join(", ", route.Tiers)}.", [], null);
        }

        string? serviceTier = ServiceTiers.FromOptions(options);
        int best = Weigh(route, messages, options, needs, tier, serviceTier, quotes);
        if (best < 0)
        {
            quotes ??= new CandidateQuote[route.Candidates.Length];
            Weigh(route, messages, options, needs, tier, serviceTier, quotes);
            string unfit = string.Join("; ", quotes.Where(q => q.Unfit is not null).Select(q => $"{q.ModelId} {q.Unfit}"));
            return Unroutable(route, requested, options, $"No candidate of route '{route.Name}' fits the call{(requested is null ? string.Empty : $" to '{requested}'")}: {unfit}.", quotes, null);
        }

        Candidate chosen = route.Candidates[best];
        if (quotes is not null)
        {
            quotes[chosen.Order] = quotes[chosen.Order] with { IsChosen = true };
        }

        if (string.Equals(chosen.ModelId, requested, StringComparison.Ordinal))
        {
            return new RouteChoice(requested, options, null, null);
        }

        // A copy, never the caller's instance (and never new options: callers such as Semantic Kernel pass subclasses).
        ChatOptions sent = options?.Clone() ?? new ChatOptions();
        sent.ModelId = chosen.ModelId;
        return new RouteChoice(chosen.ModelId, sent, requested, null);
    }

    /// <summary>The index of the cheapest candidate that fits, or -1; fills <paramref name="quotes"/> (by declared order) when given.</summary>
    private int Weigh(CompiledRoute route, IEnumerable<ChatMessage> messages, ChatOptions? options, ModelCapabilities needs, string? tier, string? serviceTier, CandidateQuote[]? quotes)
    {
        int best = -1;
        decimal bestCost = 0m;
        int group = -1;
        InputTokenEstimate estimate = default;
        Candidate[] candidates = route.Candidates;
        for (int i = 0; i < candidates.Length; i++)
        {
            Candidate c = candidates[i];
            bool inTier = tier is null || string.Equals(c.Tier, tier, StringComparison.OrdinalIgnoreCase);
            if (!inTier && quotes is null)
            {
                continue;
            }

            if (c.Group != group)
            {
                estimate = c.Profile.Tokenizer.Estimate(messages, options, exactAbove: 0);
                group = c.Group;
            }

            ModelProfile profile = c.Profile.ForServiceTier(serviceTier);
            long input = _reserved(in estimate, profile);
            long output = options?.MaxOutputTokens ?? profile.MaximumOutputTokens;
            ModelCapabilities missing = needs & ~c.Capabilities;
            bool writesEnough = options?.MaxOutputTokens is not { } asked || profile.Price!.MaximumOutputTokens is not { } most || asked <= most;
            bool fits = inTier && missing == ModelCapabilities.None && writesEnough && input + output <= c.ContextWindow;
            if (!fits && quotes is null)
            {
                continue;
            }

            decimal cost = profile.Price!.GetWorstCaseCost(input, output);
            if (fits && (best < 0 || cost < bestCost || (cost == bestCost && c.Order < candidates[best].Order)))
            {
                (best, bestCost) = (i, cost);
            }

            if (quotes is not null)
            {
                quotes[c.Order] = new CandidateQuote
                {
                    ModelId = c.ModelId,
                    Tier = c.Tier,
                    InputTokens = input,
                    MaximumOutputTokens = output,
                    WorstCaseCost = cost,
                    ContextWindow = c.ContextWindow,
                    Capabilities = c.Capabilities,
                    Unfit = fits ? null
                        : !inTier ? $"is not of tier '{tier}'"
                        : missing != ModelCapabilities.None ? $"does not accept {missing}"
                        : !writesEnough ? $"writes at most {profile.Price.MaximumOutputTokens} output tokens; the call asks for {options!.MaxOutputTokens}"
                        : $"has a context window of {c.ContextWindow} tokens; the call needs {input} input + {output} output",
                };
            }
        }

        return best;
    }

    private RouteChoice Unroutable(CompiledRoute route, string? requested, ChatOptions? options, string reason, IReadOnlyList<CandidateQuote> quotes, Exception? inner)
    {
        if (route.WhenUnroutable == UnroutableCallAction.UseRequestedModel && requested is not null)
        {
            Log.SentAsRequested(_logger, route.Name, requested, reason);
            return new RouteChoice(requested, options, null, null);
        }

        return new RouteChoice(requested, options, null, new ModelRoutingException(route.Name, requested, reason, quotes, inner));
    }

    /// <summary>A candidate as resolved once: its declared order, profile, capabilities, context window and tokenizer group.</summary>
    private sealed record Candidate(int Order, string ModelId, string? Tier, ModelProfile Profile, ModelCapabilities Capabilities, int ContextWindow, int Group);

    /// <summary>A route as compiled once; candidates sorted by tokenizer group, then declared order.</summary>
    private sealed record CompiledRoute(string Name, string[] Models, Candidate[] Candidates, string[] Tiers, Func<RoutingRequest, string?>? Classifier, UnroutableCallAction WhenUnroutable);

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "Route '{Route}' could not place a call; it is sent to the model it asked for, '{ModelId}': {Reason}")]
        public static partial void SentAsRequested(ILogger logger, string route, string modelId, string reason);
    }
}
