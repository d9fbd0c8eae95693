using AiCostGuard;
using AiCostGuard.AspNetCore;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds per-request cost attribution to an ASP.NET Core pipeline.</summary>
public static class CostAttributionApplicationBuilderExtensions
{
    /// <summary>
    /// Attributes every request: its attribution is read from the claims, headers, route values and constants that
    /// <paramref name="configure"/> names, validated, and made ambient (<see cref="CostAttribution.Begin(CostAttribution)"/>)
    /// for the rest of the pipeline, so every governed model call the endpoint makes is booked to it.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <param name="configure">Names the sources of each dimension and the required dimensions.</param>
    /// <returns><paramref name="app"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    /// <remarks>
    /// <para>A request with an invalid value (see <see cref="AttributionValue"/>), a header sent twice, or without a
    /// required dimension gets problem details with <see cref="CostAttributionOptions.RejectionStatusCode"/> (400 by
    /// default) listing every problem, and never reaches the endpoint: a model call is never made unattributed.</para>
    /// <para>Order: after <c>UseAuthentication()</c> when claims are read, and after <c>UseRouting()</c> when route values
    /// are read (a minimal API's <c>WebApplication</c> routes before the first middleware unless told otherwise).</para>
    /// </remarks>
    public static IApplicationBuilder UseCostAttribution(this IApplicationBuilder app, Action<CostAttributionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new CostAttributionOptions();
        configure(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(CostAttributionOptions), typeof(CostAttributionOptions), problems);
        }

        return app.UseMiddleware<CostAttributionMiddleware>(options);
    }
}
