namespace AiCostGuard.AspNetCore;

/// <summary>Where in a request an attribution value is read from.</summary>
public enum CostAttributionSourceKind
{
    /// <summary>A claim of the authenticated user (<c>HttpContext.User</c>), by claim type.</summary>
    Claim,

    /// <summary>A request header, by name; a header sent with several values is invalid.</summary>
    Header,

    /// <summary>A route value of the matched endpoint, by name (<c>/tenants/{tenant}/...</c>).</summary>
    RouteValue,

    /// <summary>A fixed value, the same for every request (an environment name, a service's cost center).</summary>
    Constant,
}
