namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// A real provider SDK as a test meets it: the wire format its loopback server speaks, how the SDK's
/// <see cref="IChatClient"/> is built against that server (default transport and settings), the model it asks for,
/// the model the provider answers with, and which usage kinds the provider reports.
/// </summary>
/// <param name="Name">The case name tests are run by.</param>
/// <param name="Wire">The provider's wire format.</param>
/// <param name="Create">Builds the SDK's chat client against the server.</param>
/// <param name="RequestedModel">The model the client asks for.</param>
/// <param name="AnsweringModel">The model the provider's response names (a dated snapshot where the provider has them).</param>
/// <param name="Price">The test's price of <paramref name="RequestedModel"/>'s family.</param>
/// <param name="Reports">The usage kinds the provider reports.</param>
public sealed record ProviderClient(
    string Name,
    Func<IProviderWire> Wire,
    Func<ProviderLoopbackServer, IChatClient> Create,
    string RequestedModel,
    string AnsweringModel,
    ModelPrice Price,
    UsageKinds Reports)
{
    /// <summary>
    /// Gets whether the SDK passes the call's token to its pending reads, so that cancelling it aborts the response.
    /// OllamaSharp reads each line without it and checks the token only between lines.
    /// </summary>
    public bool AbortsPendingReads { get; init; } = true;

    /// <summary>Gets model aliases the governed client is configured with (an Azure deployment name).</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();

    /// <summary>The usage a provider of this kind reports for a call with every kind of token it knows.</summary>
    public ScriptedUsage FullUsage() => new()
    {
        Input = 5_000,
        Cached = Reports.HasFlag(UsageKinds.CacheReads) ? 3_000 : 0,
        CacheWrite5m = Reports.HasFlag(UsageKinds.CacheWrites) ? 800 : 0,
        CacheWrite1h = Reports.HasFlag(UsageKinds.CacheWrites) ? 400 : 0,
        Output = 700,
        Reasoning = Reports.HasFlag(UsageKinds.Reasoning) ? 300 : 0,
    };

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The usage kinds a provider reports beside input and output.</summary>
[Flags]
public enum UsageKinds
{
    /// <summary>Input and output only.</summary>
    None = 0,

    /// <summary>Input read from the prompt cache.</summary>
    CacheReads = 1,

    /// <summary>Input written to the prompt cache, split by time to live.</summary>
    CacheWrites = 2,

    /// <summary>Output spent on reasoning.</summary>
    Reasoning = 4,
}
