using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.AspNetCore.Tests;

public sealed class CostGovernanceExceptionHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_period_budget_refusal_is_429_with_Retry_After_rounded_up_to_whole_seconds()
    {
        var refusal = new BudgetExceededException(BudgetLimitKind.Cost, 5m, 4.99m, 0.02m, "team-daily|team=search", "gpt-4o") { RetryAt = Now.AddSeconds(90.2) };

        (HttpResponseMessage response, JsonElement problem) = await SendAsync(refusal);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(91), response.Headers.RetryAfter?.Delta);
        Assert.Equal(91, problem.GetProperty("retryAfter").GetInt64());
        Assert.Equal("Budget exceeded", problem.GetProperty("title").GetString());
        Assert.Equal(refusal.Message, problem.GetProperty("detail").GetString());
        Assert.Equal("cost", problem.GetProperty("limitKind").GetString());
        Assert.Equal("team-daily|team=search", problem.GetProperty("budget").GetString());
    }

    [Fact]
    public async Task A_ceiling_waiting_does_not_lift_is_402_by_default_and_429_when_configured()
    {
        var refusal = new BudgetExceededException(BudgetLimitKind.OutputTokens, 1000, 0, 4000, "research-agent", "gpt-4o");

        (HttpResponseMessage byDefault, JsonElement problem) = await SendAsync(refusal);
        (HttpResponseMessage configured, _) = await SendAsync(refusal, o => o.CeilingStatusCode = 429);

        Assert.Equal(HttpStatusCode.PaymentRequired, byDefault.StatusCode);
        Assert.Null(byDefault.Headers.RetryAfter);
        Assert.Equal("output_tokens", problem.GetProperty("limitKind").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, configured.StatusCode);
        Assert.Null(configured.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_concurrency_cap_is_429()
    {
        (HttpResponseMessage response, _) = await SendAsync(new BudgetExceededException(BudgetLimitKind.ConcurrentModelCalls, 3, 3, 1, "fan-out", "gpt-4o"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    [Theory]
    [InlineData(SpendVelocityWindow.Second, 1)]
    [InlineData(SpendVelocityWindow.Minute, 60)]
    [InlineData(SpendVelocityWindow.Hour, 3600)]
    public async Task A_spend_velocity_refusal_is_429_with_its_window_as_Retry_After(SpendVelocityWindow window, int seconds)
    {
        (HttpResponseMessage response, JsonElement problem) = await SendAsync(new SpendVelocityExceededException("runaway", "team=search", window, 7m, 5m));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(seconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("runaway", problem.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task A_policy_denial_is_403_naming_the_policy_and_a_full_call_rate_429_with_Retry_After()
    {
        (HttpResponseMessage denied, JsonElement problem) = await SendAsync(new PolicyDeniedException("acme-azure-only", "gpt-4o", "The policy 'acme-azure-only' allows only azure/*."));
        (HttpResponseMessage rated, JsonElement rateProblem) = await SendAsync(new PolicyDeniedException("research-o3", "o3", "The window is full.", Now.AddSeconds(30.5)));

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Null(denied.Headers.RetryAfter);
        Assert.Equal("Denied by policy", problem.GetProperty("title").GetString());
        Assert.Equal("acme-azure-only", problem.GetProperty("policy").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, rated.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(31), rated.Headers.RetryAfter?.Delta);
        Assert.Equal("research-o3", rateProblem.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task Missing_attribution_is_400_and_an_unreachable_budget_store_503()
    {
        (HttpResponseMessage missing, JsonElement problem) = await SendAsync(new MissingAttributionException(AttributionDimensions.Team | AttributionDimensions.Tenant, CostAttribution.Empty));
        (HttpResponseMessage store, _) = await SendAsync(new BudgetStoreUnavailableException("redis down"));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(["Tenant", "Team"], problem.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, store.StatusCode);
    }

    [Fact]
    public async Task A_refusal_wrapped_by_a_framework_is_found_and_other_exceptions_are_left_alone()
    {
        (HttpResponseMessage wrapped, _) = await SendAsync(new InvalidOperationException("kernel function failed", new AggregateException(new BudgetExceededException(BudgetLimitKind.Cost, 1, 1, 1, "request", null))));
        (HttpResponseMessage other, _) = await SendAsync(new InvalidOperationException("a bug"));

        Assert.Equal(HttpStatusCode.PaymentRequired, wrapped.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, other.StatusCode);
    }

    [Fact]
    public void Registering_twice_adds_the_handler_once()
    {
        var services = new ServiceCollection();
        services.AddCostGovernanceProblemDetails().AddCostGovernanceProblemDetails();

        Assert.Single(services, d => d.ServiceType == typeof(IExceptionHandler));
    }

    [Fact]
    public async Task Invalid_status_codes_fail_the_host_at_startup()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddCostGovernanceProblemDetails(o => (o.CeilingStatusCode, o.MissingAttributionStatusCode) = (500, 200));
        await using WebApplication app = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            ["CeilingStatusCode: 500 is neither 402 nor 429.", "MissingAttributionStatusCode: 200 is not a 4xx client-error status code."],
            error.Failures);
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Problem)> SendAsync(Exception thrown, Action<CostGovernanceProblemDetailsOptions>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        builder.Services.AddCostGovernanceProblemDetails(configure);
        await using WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/", IResult () => throw thrown);
        await app.StartAsync();

        HttpResponseMessage response = await app.GetTestClient().GetAsync(new Uri("/", UriKind.Relative));
        await response.Content.LoadIntoBufferAsync();
        JsonElement problem = response.Content.Headers.ContentLength > 0 ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        return (response, problem);
    }
}
