using System.Globalization;
using AiCostGuard;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Governed calls on a model that answers offline, with what a trimmed app cannot discover by reflection: options bound
// from configuration (a typo among them), validation attributes, tool calls counted as JSON, a FOCUS export.
var ledger = new InMemoryCostLedger();
IChatClient client = new ChatClientBuilder(new OfflineModel())
    .UseCostGovernance(o =>
    {
        o.RequiredAttribution = AttributionDimensions.Team | AttributionDimensions.Feature;
        o.RequestLimits.MaximumCost = 0.01m;
        o.Ledger = ledger;
    })
    .Build();

List<ChatMessage> history =
[
    new(ChatRole.User, "What is the weather in Paris?"),
    new(ChatRole.Assistant, [new FunctionCallContent("call-1", "weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 2 })]),
    new(ChatRole.Tool, [new FunctionResultContent("call-1", "sunny, 21 degrees")]),
];

using (CostAttribution.Begin(new CostAttribution { Team = "support", Feature = "weather" }))
{
    ChatResponse answer = await client.GetResponseAsync(history, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 });
    CostRecord call = ledger.GetRecords().Single();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"answer: {answer.Text}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"charged: {call.InputTokens} in, {call.OutputTokens} out, ${call.Cost} ({call.CostSource})"));

    try
    {
        await client.GetResponseAsync("Write a novel.", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100_000 });
        Console.WriteLine("refused: no");
    }
    catch (BudgetExceededException e)
    {
        Console.WriteLine($"refused: {e.LimitKind}");
    }
}

var focus = new StringWriter();
Console.WriteLine($"focus rows: {FocusExport.Write(ledger.GetRecords(), focus)}");

Console.WriteLine($"configured: {Configured("""{ "AiCostGuard": { "RequestLimits": { "MaximumCost": 0.05 }, "Prices": { "mine": { "InputPerMillion": 1.5, "OutputPerMillion": 6 } } } }""")}");
Console.WriteLine($"typo: {Configured("""{ "AiCostGuard": { "RequestLimits": { "MaximumCots": 0.05 } } }""")}");
Console.WriteLine($"out of range: {Configured("""{ "AiCostGuard": { "RequestLimits": { "MaximumCost": -1 } } }""")}");

static string Configured(string json)
{
    IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
    using ServiceProvider services = new ServiceCollection().AddCostGovernance(configuration.GetSection("AiCostGuard")).BuildServiceProvider();
    try
    {
        CostGovernanceOptions options = services.GetRequiredService<IOptions<CostGovernanceOptions>>().Value;
        return string.Create(CultureInfo.InvariantCulture, $"cost ceiling {options.RequestLimits.MaximumCost}, mine at {options.Prices["mine"].InputPerMillion}/{options.Prices["mine"].OutputPerMillion}");
    }
    catch (OptionsValidationException e)
    {
        return string.Join(" | ", e.Failures);
    }
}

/// <summary>A model that answers every call with the same text and reports its usage.</summary>
internal sealed class OfflineModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Sunny, 21 degrees."))
        {
            ModelId = options?.ModelId,
            Usage = new UsageDetails { InputTokenCount = 60, OutputTokenCount = 7, TotalTokenCount = 67 },
        });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
