using System.Globalization;
using System.Numerics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace AiCostGuard.AspNetCore;

/// <summary>
/// Reads the request's attribution from its claims, headers and route values, validates it, and runs the rest of the
/// pipeline inside it (<see cref="CostAttribution.Begin(CostAttribution)"/>), so every governed model call the
/// endpoint makes is booked to it. A request with an invalid value or without a required dimension gets problem
/// details and never reaches the endpoint.
/// </summary>
internal sealed partial class CostAttributionMiddleware
{
    private const int DimensionCount = 6;

    private readonly RequestDelegate _next;
    private readonly CostAttributionSource[] _sources;
    private readonly AttributionDimensions _required;
    private readonly int _rejectionStatusCode;
    private readonly ILogger _logger;

    public CostAttributionMiddleware(RequestDelegate next, CostAttributionOptions options, ILogger<CostAttributionMiddleware> logger)
    {
        _next = next;
        _sources = [.. options.Sources];
        _required = options.RequiredAttribution;
        _rejectionStatusCode = options.RejectionStatusCode;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var values = new string?[DimensionCount];
        List<string>? problems = null;
        AttributionDimensions read = AttributionDimensions.None;
        foreach (CostAttributionSource source in _sources)
        {
            if ((read & source.Dimension) != 0)
            {
                continue;
            }

            string? value = Read(context, source, ref problems);
            if (value is null)
            {
                continue;
            }

            // An invalid value is refused rather than passed over for the next source: it would otherwise book the
            // call to whatever a fallback says, silently.
            read |= source.Dimension;
            if (AttributionValue.IsValid(value, out string? error))
            {
                values[Index(source.Dimension)] = value;
            }
            else
            {
                (problems ??= []).Add($"{source.Dimension} from {source} {error}.");
            }
        }

        AttributionDimensions missing = _required & ~read;
        foreach (AttributionDimensions dimension in CostAttributionOptions.Single(missing))
        {
            string from = string.Join(" or ", _sources.Where(s => s.Dimension == dimension));
            (problems ??= []).Add($"{dimension} is required; it is read from {from}.");
        }

        if (problems is not null)
        {
            Log.Refused(_logger, context.Request.Path, string.Join(" ", problems));
            await RefuseAsync(context, problems, missing);
            return;
        }

        var attribution = new CostAttribution
        {
            Tenant = values[Index(AttributionDimensions.Tenant)],
            Team = values[Index(AttributionDimensions.Team)],
            Feature = values[Index(AttributionDimensions.Feature)],
            User = values[Index(AttributionDimensions.User)],
            CostCenter = values[Index(AttributionDimensions.CostCenter)],
            Environment = values[Index(AttributionDimensions.Environment)],
        };
        using (CostAttribution.Begin(attribution))
        {
            await _next(context);
        }
    }

    private static string? Read(HttpContext context, CostAttributionSource source, ref List<string>? problems)
    {
        switch (source.Kind)
        {
            case CostAttributionSourceKind.Claim:
                return context.User.FindFirst(source.Name)?.Value;
            case CostAttributionSourceKind.Header:
                StringValues header = context.Request.Headers[source.Name];
                if (header.Count > 1)
                {
                    (problems ??= []).Add($"{source.Dimension} from {source} has {header.Count} values; send one.");
                    return null;
                }

                return header.Count == 1 ? header[0] : null;
            case CostAttributionSourceKind.RouteValue:
                return context.Request.RouteValues.TryGetValue(source.Name, out object? route) ? Convert.ToString(route, CultureInfo.InvariantCulture) : null;
            case CostAttributionSourceKind.Constant:
                return source.Name;
            default:
                throw new InvalidOperationException($"Undefined source kind {(int)source.Kind}.");
        }
    }

    private Task RefuseAsync(HttpContext context, List<string> problems, AttributionDimensions missing)
    {
        var problem = new ProblemDetails
        {
            Status = _rejectionStatusCode,
            Title = "Missing or invalid cost attribution",
            Detail = string.Join(" ", problems),
        };
        problem.Extensions["problems"] = problems;
        if (missing != AttributionDimensions.None)
        {
            problem.Extensions["missing"] = CostAttributionOptions.Single(missing).Select(d => d.ToString()).ToArray();
        }

        return TypedResults.Problem(problem).ExecuteAsync(context);
    }

    private static int Index(AttributionDimensions dimension) => BitOperations.TrailingZeroCount((uint)dimension);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Refused {Path}: {Problems}")]
        public static partial void Refused(ILogger logger, PathString path, string problems);
    }
}
