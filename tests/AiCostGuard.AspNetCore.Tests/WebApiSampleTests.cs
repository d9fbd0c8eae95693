using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.AspNetCore.Tests;

/// <summary>The WebApi sample, hosted in memory as it is configured in its appsettings.json, with test overrides.</summary>
public sealed class WebApiSampleTests : IClassFixture<WebApplicationFactory<Program>>
{
    private const string Secret = "the customer's card ends in 4242";

    private readonly WebApplicationFactory<Program> _factory;

    public WebApiSampleTests(WebApplicationFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task An_attributed_request_is_answered_and_recorded_with_its_attribution()
    {
        using WebApplicationFactory<Program> app = Host();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Summary("acme", team: "support"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        CostRecord record = Assert.Single(Ledger(app).GetRecords());
        Assert.Equal(new CostAttribution { Tenant = "acme", Team = "support", Feature = "summaries" }, record.Attribution);
        Assert.Equal(BudgetDecision.Allowed, record.Decision);
        Assert.Equal(CallOutcome.Succeeded, record.Outcome);
        Assert.True(record.Cost > 0);
    }

    [Fact]
    public async Task A_feature_header_wins_over_the_constant_after_it()
    {
        using WebApplicationFactory<Program> app = Host();
        using HttpClient client = app.CreateClient();
        using HttpRequestMessage request = Summary("acme", team: "support");
        request.Headers.Add("X-Feature", "refunds");

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("refunds", Assert.Single(Ledger(app).GetRecords()).Attribution.Feature);
    }

    [Fact]
    public async Task A_request_without_its_team_gets_400_and_no_model_call()
    {
        using WebApplicationFactory<Program> app = Host();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Summary("acme", team: null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(["Team"], problem.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("header 'X-Team'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Ledger(app).GetRecords());
    }

    [Fact]
    public async Task A_request_with_an_invalid_team_gets_400_and_no_model_call()
    {
        using WebApplicationFactory<Program> app = Host();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Summary("acme", team: "=HYPERLINK(1)"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("formula", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("missing", out _));
        Assert.Empty(Ledger(app).GetRecords());
    }

    [Fact]
    public async Task Over_the_daily_team_budget_a_request_gets_429_with_Retry_After_until_midnight()
    {
        // An hour before midnight UTC: the daily window ends in 3,600 seconds.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.Zero));
        using WebApplicationFactory<Program> app = Host(time, ("AiCostGuard:PeriodBudgets:0:Limits:MaximumCost", "0.0002"));
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage first = await client.SendAsync(Summary("acme", team: "support"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 20 && refused is null; i++)
        {
            HttpResponseMessage response = await client.SendAsync(Summary("acme", team: "support"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Dispose();
                continue;
            }

            refused = response;
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromHours(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            string body = await refused.Content.ReadAsStringAsync();
            Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
            JsonElement problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Equal("cost", problem.GetProperty("limitKind").GetString());
            Assert.Equal("team-daily|team=support", problem.GetProperty("budget").GetString());
            Assert.Equal(3600, problem.GetProperty("retryAfter").GetInt64());
        }

        // The refusal is in the ledger, booked to the team; another team still has its own budget.
        Assert.Contains(Ledger(app).GetRecords(), r => r.Decision == BudgetDecision.Rejected && r.Attribution.Team == "support");
        using HttpResponseMessage other = await client.SendAsync(Summary("acme", team: "billing"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Over_the_per_request_ceiling_a_request_gets_402_without_Retry_After()
    {
        using WebApplicationFactory<Program> app = Host(configuration: ("AiCostGuard:RequestLimits:MaximumCost", "0.000001"));
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.SendAsync(Summary("acme", team: "support"));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cost", problem.GetProperty("limitKind").GetString());
        Assert.Equal("request", problem.GetProperty("budget").GetString());
    }

    [Fact]
    public async Task A_configuration_reload_changes_the_limits_of_the_next_request()
    {
        using WebApplicationFactory<Program> app = Host();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage before = await client.SendAsync(Summary("acme", team: "support"));

        // What an edited appsettings.json does: the host's configuration reloads.
        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        configuration["AiCostGuard:RequestLimits:MaximumCost"] = "0.000001";
        configuration.Reload();
        using HttpResponseMessage after = await client.SendAsync(Summary("acme", team: "support"));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, after.StatusCode);
    }

    private static HttpRequestMessage Summary(string tenant, string? team)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/tenants/{tenant}/summaries")
        {
            Content = JsonContent.Create(new { text = $"The order shipped late and {Secret}; the customer wants a refund." }),
        };
        if (team is not null)
        {
            request.Headers.Add("X-Team", team);
        }

        return request;
    }

    private static InMemoryCostLedger Ledger(WebApplicationFactory<Program> app) => app.Services.GetRequiredService<InMemoryCostLedger>();

    private WebApplicationFactory<Program> Host(TimeProvider? time = null, params (string Key, string Value)[] configuration) =>
        _factory.WithWebHostBuilder(web =>
        {
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(configuration.Select(c => new KeyValuePair<string, string?>(c.Key, c.Value))));
            if (time is not null)
            {
                web.ConfigureTestServices(services => services.AddSingleton(time));
            }
        });
}
