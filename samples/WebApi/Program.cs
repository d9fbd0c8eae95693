using AiCostGuard;
using Microsoft.Extensions.AI;
using WebApi;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// Limits, prices and period budgets from appsettings.json; they reload when the file changes.
builder.Services.AddCostGovernance(builder.Configuration.GetSection(CostGovernanceOptions.SectionName));

// Budget refusals become problem details: 429 with Retry-After for the daily team budget.
builder.Services.AddCostGovernanceProblemDetails();

// An offline, simulated model; put a real provider's IChatClient here.
builder.Services.AddChatClient(new SimulatedChatClient("gpt-4o-mini")).UseCostGovernance();

WebApplication app = builder.Build();
app.UseExceptionHandler();

// Every request is attributed before it reaches an endpoint: the tenant from the route, the team and feature from
// headers. A request without a tenant or team is refused with 400 and never calls the model.
app.UseCostAttribution(o =>
{
    o.RequiredAttribution = AttributionDimensions.Tenant | AttributionDimensions.Team;
    o.FromRouteValue(AttributionDimensions.Tenant, "tenant")
        .FromHeader(AttributionDimensions.Team, "X-Team")
        .FromHeader(AttributionDimensions.Feature, "X-Feature")
        .FromConstant(AttributionDimensions.Feature, "summaries");
});

app.MapPost("/tenants/{tenant}/summaries", async (SummaryRequest request, IChatClient chat, CancellationToken cancellationToken) =>
{
    ChatResponse response = await chat.GetResponseAsync(
        $"Summarize in one sentence: {request.Text}",
        new ChatOptions { MaxOutputTokens = 200 },
        cancellationToken);
    return TypedResults.Ok(new SummaryResponse(response.Text));
});

app.Run();

/// <summary>The sample's entry point, visible to its tests (<c>WebApplicationFactory&lt;Program&gt;</c>).</summary>
public partial class Program;
