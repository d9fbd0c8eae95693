using Microsoft.AspNetCore.Http;

namespace AiCostGuard.AspNetCore;

/// <summary>
/// How <c>app.UseCostAttribution(...)</c> reads a request's attribution: which claims, headers, route values or
/// constants give each dimension, and which dimensions a request must carry.
/// </summary>
/// <remarks>
/// A dimension may have several sources; the first that gives a value wins, in the order they were added (a claim,
/// then a header as fallback). Every value is validated as <see cref="CostAttribution"/> validates it: a request with
/// an invalid value, or without a required dimension, is refused before it reaches the endpoint.
/// </remarks>
public sealed class CostAttributionOptions
{
    private readonly List<CostAttributionSource> _sources = [];

    /// <summary>Gets or sets the dimensions every request must carry.</summary>
    /// <value>The default value is <see cref="AttributionDimensions.None"/>.</value>
    public AttributionDimensions RequiredAttribution { get; set; }

    /// <summary>Gets or sets the status code of the problem details sent for a request with missing or invalid attribution.</summary>
    /// <value>The default value is 400 (Bad Request); any 4xx code is accepted.</value>
    public int RejectionStatusCode { get; set; } = StatusCodes.Status400BadRequest;

    /// <summary>Gets the sources, in the order they are tried.</summary>
    public IReadOnlyList<CostAttributionSource> Sources => _sources;

    /// <summary>Reads <paramref name="dimension"/> from a claim of the authenticated user.</summary>
    /// <param name="dimension">A single dimension.</param>
    /// <param name="claimType">The claim type, such as <c>sub</c> or <c>tid</c>.</param>
    /// <returns>These options.</returns>
    public CostAttributionOptions FromClaim(AttributionDimensions dimension, string claimType) => Add(dimension, CostAttributionSourceKind.Claim, claimType);

    /// <summary>Reads <paramref name="dimension"/> from a request header.</summary>
    /// <param name="dimension">A single dimension.</param>
    /// <param name="headerName">The header name, such as <c>X-Team</c>.</param>
    /// <returns>These options.</returns>
    public CostAttributionOptions FromHeader(AttributionDimensions dimension, string headerName) => Add(dimension, CostAttributionSourceKind.Header, headerName);

    /// <summary>Reads <paramref name="dimension"/> from a route value of the matched endpoint.</summary>
    /// <param name="dimension">A single dimension.</param>
    /// <param name="routeValueName">The route parameter's name, such as <c>tenant</c> in <c>/tenants/{tenant}</c>.</param>
    /// <returns>These options.</returns>
    public CostAttributionOptions FromRouteValue(AttributionDimensions dimension, string routeValueName) => Add(dimension, CostAttributionSourceKind.RouteValue, routeValueName);

    /// <summary>Sets <paramref name="dimension"/> to the same value for every request that no earlier source gives a value.</summary>
    /// <param name="dimension">A single dimension.</param>
    /// <param name="value">The value, such as <c>prod</c>.</param>
    /// <returns>These options.</returns>
    public CostAttributionOptions FromConstant(AttributionDimensions dimension, string value) => Add(dimension, CostAttributionSourceKind.Constant, value);

    /// <summary>Lists every problem of these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (RejectionStatusCode is < 400 or > 499)
        {
            problems.Add($"{nameof(RejectionStatusCode)}: {RejectionStatusCode} is not a 4xx client-error status code.");
        }

        const AttributionDimensions all = AttributionDimensions.Tenant | AttributionDimensions.Team | AttributionDimensions.Feature
            | AttributionDimensions.User | AttributionDimensions.CostCenter | AttributionDimensions.Environment;
        if ((RequiredAttribution & ~all) != 0)
        {
            problems.Add($"{nameof(RequiredAttribution)}: {RequiredAttribution} names undefined dimensions.");
        }

        foreach (AttributionDimensions required in Single(RequiredAttribution & all))
        {
            if (!_sources.Exists(s => s.Dimension == required))
            {
                problems.Add($"{nameof(RequiredAttribution)}: {required} is required but no source reads it; add FromClaim, FromHeader, FromRouteValue or FromConstant for it.");
            }
        }

        foreach (CostAttributionSource source in _sources)
        {
            if (source.Dimension == AttributionDimensions.None || (source.Dimension & ~all) != 0 || (source.Dimension & (source.Dimension - 1)) != 0)
            {
                problems.Add($"{nameof(Sources)}: {source} is for '{source.Dimension}', which is not a single dimension.");
            }

            if (string.IsNullOrWhiteSpace(source.Name))
            {
                problems.Add($"{nameof(Sources)}: a {source.Kind} source for {source.Dimension} has no name.");
            }
            else if (source.Kind == CostAttributionSourceKind.Constant && !AttributionValue.IsValid(source.Name, out string? error))
            {
                problems.Add($"{nameof(Sources)}: the constant for {source.Dimension} {error}.");
            }
        }

        return problems;
    }

    internal static IEnumerable<AttributionDimensions> Single(AttributionDimensions dimensions)
    {
        for (int bit = 1; bit <= (int)AttributionDimensions.Environment; bit <<= 1)
        {
            if (((int)dimensions & bit) != 0)
            {
                yield return (AttributionDimensions)bit;
            }
        }
    }

    private CostAttributionOptions Add(AttributionDimensions dimension, CostAttributionSourceKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _sources.Add(new CostAttributionSource(dimension, kind, name));
        return this;
    }
}
