using AiCostGuard.IntegrationTests.Infrastructure.Providers;

namespace AiCostGuard.IntegrationTests.Providers;

/// <summary>A provider's real client behind <c>UseCostGovernance()</c>, priced from the test's own catalog, and its loopback server.</summary>
internal sealed class Governed : IAsyncDisposable
{
    private readonly InMemoryCostLedger _ledger = new();

    private Governed(ProviderLoopbackServer server) => Server = server;

    public ProviderLoopbackServer Server { get; }

    public IChatClient Client { get; private set; } = null!;

    public CostRecord Last => _ledger.GetRecords()[^1];

    public IReadOnlyList<CostRecord> Records => _ledger.GetRecords();

    public static async Task<Governed> StartAsync(ProviderClient provider, Action<CostGovernanceOptions>? configure = null)
    {
        var governed = new Governed(await ProviderLoopbackServer.StartAsync(provider.Wire()));
        string family = provider.Aliases.TryGetValue(provider.RequestedModel, out string? target) ? target : provider.RequestedModel;
        governed.Client = new ChatClientBuilder(provider.Create(governed.Server))
            .UseCostGovernance(o =>
            {
                o.Ledger = governed._ledger;
                o.Catalog = PriceCatalog.Create([new(family, provider.Price)], "test");
                foreach (KeyValuePair<string, string> alias in provider.Aliases)
                {
                    o.ModelAliases[alias.Key] = alias.Value;
                }

                configure?.Invoke(o);
            })
            .Build();
        return governed;
    }

    /// <summary>Streams a call to its end and returns the text of each update.</summary>
    public async Task<List<string>> StreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        var texts = new List<string>();
        await foreach (ChatResponseUpdate update in Client.GetStreamingResponseAsync(messages, options))
        {
            texts.Add(update.Text);
        }

        return texts;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
