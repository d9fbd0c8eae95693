using System.ClientModel;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenAI.Embeddings;

namespace AiCostGuard.IntegrationTests.Embeddings;

/// <summary>
/// The real OpenAI SDK's <see cref="EmbeddingClient"/>, through <c>AsIEmbeddingGenerator()</c> with default settings,
/// against a Kestrel server on loopback speaking OpenAI's embeddings wire format.
/// </summary>
public sealed class OpenAiEmbeddingsTests
{
    private static readonly string[] Inputs = ["Budgets before bills.", "The quick brown fox jumps over the lazy dog."];

    [Fact]
    public async Task An_embeddings_call_through_the_OpenAI_SDK_is_counted_exactly_before_sending_and_charged_what_the_provider_reports()
    {
        long tokens = Inputs.Sum(i => (long)TokenEstimator.CountTokens(i, "cl100k_base"));
        await using EmbeddingsServer server = await EmbeddingsServer.StartAsync(promptTokens: tokens);
        var ledger = new InMemoryCostLedger();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(
                new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("loopback-test-key"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Address, "v1/") })
                    .AsIEmbeddingGenerator())
            .UseCostGovernance(o => o.Ledger = ledger)
            .Build();

        GeneratedEmbeddings<Embedding<float>> embeddings;
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.01m }, "index"))
        {
            embeddings = await generator.GenerateAsync(Inputs);
            Assert.Equal(tokens * 0.02m / 1_000_000m, run.Spent.Cost);
        }

        Assert.Equal(2, embeddings.Count);
        Assert.Equal([1f, 0.5f, 0.25f], embeddings[1].Vector.ToArray());
        Assert.Equal(Inputs, server.ReceivedInputs);
        CostRecord record = Assert.Single(ledger.GetRecords());
        Assert.Equal(CallKind.Embedding, record.Kind);
        Assert.Equal("text-embedding-3-small", record.ModelId);
        Assert.Equal("openai", record.Provider);
        Assert.Equal(tokens, record.InputTokens);
        Assert.Equal(record.InputTokens, record.EstimatedInputTokens);
        Assert.Equal(CostSource.ProviderReported, record.CostSource);
        Assert.Equal("search", record.Attribution.Team);
    }

    [Fact]
    public async Task An_embeddings_call_over_its_budget_never_reaches_the_provider()
    {
        await using EmbeddingsServer server = await EmbeddingsServer.StartAsync(promptTokens: 1);
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(
                new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("loopback-test-key"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Address, "v1/") })
                    .AsIEmbeddingGenerator())
            .UseCostGovernance(o => o.RequestLimits.MaximumInputTokens = 3)
            .Build();

        await Assert.ThrowsAsync<BudgetExceededException>(() => generator.GenerateAsync(Inputs));
        Assert.Equal(0, server.Requests);
    }

    /// <summary>Answers <c>POST /v1/embeddings</c> as OpenAI does, in the encoding the client asks for (the SDK asks for base64).</summary>
    private sealed class EmbeddingsServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly long _promptTokens;
        private int _requests;

        private EmbeddingsServer(WebApplication app, long promptTokens)
        {
            _app = app;
            _promptTokens = promptTokens;
        }

        public Uri Address { get; private set; } = null!;

        public IReadOnlyList<string> ReceivedInputs { get; private set; } = [];

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<EmbeddingsServer> StartAsync(long promptTokens)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            WebApplication app = builder.Build();
            var server = new EmbeddingsServer(app, promptTokens);
            app.Run(server.HandleAsync);
            await app.StartAsync();
            server.Address = new Uri(app.Urls.Single().TrimEnd('/') + "/");
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _requests);
            if (context.Request.Path != "/v1/embeddings")
            {
                context.Response.StatusCode = 404;
                return;
            }

            using JsonDocument request = await JsonDocument.ParseAsync(context.Request.Body);
            JsonElement input = request.RootElement.GetProperty("input");
            string[] inputs = input.ValueKind == JsonValueKind.Array ? [.. input.EnumerateArray().Select(e => e.GetString()!)] : [input.GetString()!];
            ReceivedInputs = inputs;
            bool base64 = request.RootElement.TryGetProperty("encoding_format", out JsonElement format) && format.GetString() == "base64";
            string model = request.RootElement.GetProperty("model").GetString()!;

            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (int i = 0; i < inputs.Length; i++)
            {
                float[] vector = [1f, 1f / (i + 1), 0.25f];
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", i);
                if (base64)
                {
                    json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (float f in vector)
                    {
                        json.WriteNumberValue(f);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", model);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", _promptTokens);
            json.WriteNumber("total_tokens", _promptTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }
}
