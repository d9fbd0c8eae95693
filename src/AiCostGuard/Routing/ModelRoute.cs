using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// A route: the calls it takes (by the model they ask for) and the candidate models it may send them to. A call the
/// route takes goes to the candidate with the lowest worst-case cost for that call — its estimated input plus its
/// maximum output, priced from the catalog — among those whose context window holds that input and output and that
/// accept what the request uses (tools, images, a JSON schema response format, reasoning options).
/// </summary>
/// <remarks>
/// <para>
/// Routes are tried in order; the first whose <see cref="Models"/> names the call's model (or that names none) takes it.
/// A caller narrows the candidates to one <see cref="RouteCandidate.Tier"/> with the <see cref="TierProperty"/>
/// additional property, or a <see cref="Classifier"/> does; without either every candidate is considered. Equal costs
/// go to the candidate listed first.
/// </para>
/// <para>
/// The route replaces <c>ChatOptions.ModelId</c> on a copy of the options; the caller's instance is never changed. The
/// record of a routed call keeps the model asked for in <see cref="CostRecord.RequestedModelId"/>.
/// </para>
/// </remarks>
public sealed class ModelRoute
{
    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key whose string value names the tier of candidates a call is routed among.</summary>
    public const string TierProperty = "aicostguard.route.tier";

    /// <summary>Gets or sets the route's name, used in errors, logs and quotes.</summary>
    [Required]
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets the models a call may ask for to be taken by this route (as <c>ChatOptions.ModelId</c> or the client's default model).</summary>
    /// <value>The default, empty, takes every call that no route before it took.</value>
    public IList<string> Models { get; private set; } = [];

    /// <summary>Gets the models the route may send a call to, in order of preference at equal cost. Each needs a price in the catalog and a known context window.</summary>
    public IList<RouteCandidate> Candidates { get; private set; } = [];

    /// <summary>
    /// Gets or sets a function that names the tier of candidates to route a call among, from what the call is about;
    /// <see langword="null"/> from it considers every candidate. It runs only when the call names no tier itself
    /// (<see cref="TierProperty"/>), on the calling thread, and must be thread-safe.
    /// </summary>
    /// <value>The default, <see langword="null"/>, classifies nothing. Set it in code: it cannot come from configuration.</value>
    public Func<RoutingRequest, string?>? Classifier { get; set; }

    /// <summary>Gets or sets what happens to a call the route cannot place: no candidate fits, the tier it names is not the route's, or the classifier throws.</summary>
    /// <value>The default, <see cref="UnroutableCallAction.Reject"/>, fails the call with a <see cref="ModelRoutingException"/>.</value>
    public UnroutableCallAction WhenUnroutable { get; set; } = UnroutableCallAction.Reject;
}
