namespace AiCostGuard.AspNetCore;

/// <summary>One place a request's attribution dimension is read from.</summary>
/// <param name="Dimension">The single dimension the value is for.</param>
/// <param name="Kind">Where the value is read.</param>
/// <param name="Name">The claim type, header name or route value name; for <see cref="CostAttributionSourceKind.Constant"/>, the value itself.</param>
public sealed record CostAttributionSource(AttributionDimensions Dimension, CostAttributionSourceKind Kind, string Name)
{
    /// <summary>Describes the source for a problem message, e.g. <c>header 'X-Team'</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind switch
    {
        CostAttributionSourceKind.Claim => $"claim '{Name}'",
        CostAttributionSourceKind.Header => $"header '{Name}'",
        CostAttributionSourceKind.RouteValue => $"route value '{Name}'",
        CostAttributionSourceKind.Constant => "the configured constant",
        _ => throw new InvalidOperationException($"Undefined source kind {(int)Kind}."),
    };
}
