using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.AspNetCore.Tests;

public sealed class CostAttributionMiddlewareTests
{
    [Fact]
    public async Task Claims_headers_route_values_and_constants_make_the_ambient_attribution_of_the_request()
    {
        await using WebApplication app = await StartAsync(o =>
        {
            o.RequiredAttribution = AttributionDimensions.Tenant | AttributionDimensions.Team | AttributionDimensions.User | AttributionDimensions.Environment;
            o.FromRouteValue(AttributionDimensions.Tenant, "tenant")
                .FromHeader(AttributionDimensions.Team, "X-Team")
                .FromClaim(AttributionDimensions.User, "sub")
                .FromConstant(AttributionDimensions.Environment, "prod");
        });

        using HttpRequestMessage request = new(HttpMethod.Get, "/tenants/acme");
        request.Headers.Add("X-Team", "support");
        request.Headers.Add("X-Sub", "user-17");
        using HttpResponseMessage response = await app.GetTestClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tenant=acme, team=support, user=user-17, environment=prod", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_first_source_with_a_value_wins_and_a_later_one_is_the_fallback()
    {
        await using WebApplication app = await StartAsync(o => o
            .FromClaim(AttributionDimensions.User, "sub")
            .FromHeader(AttributionDimensions.User, "X-User"));

        using HttpRequestMessage both = new(HttpMethod.Get, "/tenants/acme");
        both.Headers.Add("X-Sub", "from-claim");
        both.Headers.Add("X-User", "from-header");
        using HttpResponseMessage claimWins = await app.GetTestClient().SendAsync(both);
        using HttpRequestMessage headerOnly = new(HttpMethod.Get, "/tenants/acme");
        headerOnly.Headers.Add("X-User", "from-header");
        using HttpResponseMessage fallback = await app.GetTestClient().SendAsync(headerOnly);

        Assert.Equal("user=from-claim", await claimWins.Content.ReadAsStringAsync());
        Assert.Equal("user=from-header", await fallback.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_invalid_first_value_is_refused_rather_than_replaced_by_the_fallback()
    {
        await using WebApplication app = await StartAsync(o => o
            .FromClaim(AttributionDimensions.User, "sub")
            .FromHeader(AttributionDimensions.User, "X-User"));
        using HttpRequestMessage request = new(HttpMethod.Get, "/tenants/acme");
        request.Headers.Add("X-Sub", "bad\tvalue");
        request.Headers.Add("X-User", "good");

        using HttpResponseMessage response = await app.GetTestClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("User from claim 'sub' contains the character U+0009", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_sent_twice_is_refused()
    {
        await using WebApplication app = await StartAsync(o => o.FromHeader(AttributionDimensions.Team, "X-Team"));
        using HttpRequestMessage request = new(HttpMethod.Get, "/tenants/acme");
        request.Headers.Add("X-Team", ["support", "billing"]);

        using HttpResponseMessage response = await app.GetTestClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Team from header 'X-Team' has 2 values; send one.", Assert.Single(problem.GetProperty("problems").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Every_problem_of_a_request_is_listed_with_the_configured_status_code()
    {
        await using WebApplication app = await StartAsync(o =>
        {
            o.RequiredAttribution = AttributionDimensions.Team | AttributionDimensions.CostCenter;
            o.RejectionStatusCode = StatusCodes.Status422UnprocessableEntity;
            o.FromHeader(AttributionDimensions.Team, "X-Team").FromHeader(AttributionDimensions.CostCenter, "X-Cost-Center");
        });

        using HttpResponseMessage response = await app.GetTestClient().GetAsync(new Uri("/tenants/acme", UriKind.Relative));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["Team", "CostCenter"], problem.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, problem.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_pipeline_is_built_listing_every_problem()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using WebApplication app = builder.Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => app.UseCostAttribution(o =>
        {
            o.RequiredAttribution = AttributionDimensions.Team;
            o.RejectionStatusCode = 500;
            o.FromHeader(AttributionDimensions.Tenant | AttributionDimensions.User, "X-Who").FromConstant(AttributionDimensions.Environment, "=1");
        }));

        Assert.Equal(
            [
                "RejectionStatusCode: 500 is not a 4xx client-error status code.",
                "RequiredAttribution: Team is required but no source reads it; add FromClaim, FromHeader, FromRouteValue or FromConstant for it.",
                "Sources: header 'X-Who' is for 'Tenant, User', which is not a single dimension.",
                "Sources: the constant for Environment begins with '=', which spreadsheets read as a formula.",
            ],
            error.Failures);
    }

    private static async Task<WebApplication> StartAsync(Action<CostAttributionOptions> configure)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        WebApplication app = builder.Build();
        app.UseRouting();

        // Stands in for authentication: the X-Sub header becomes the user's "sub" claim.
        app.Use((context, next) =>
        {
            if (context.Request.Headers["X-Sub"] is [{ } sub])
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", sub)], "test"));
            }

            return next(context);
        });
        app.UseCostAttribution(configure);
        app.MapGet("/tenants/{tenant}", () => CostAttribution.Current.ToString());
        await app.StartAsync();
        return app;
    }
}
