namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// What a scripted provider reports it used, in the Microsoft.Extensions.AI convention: <see cref="Input"/> is all input
/// (cache reads and writes included), <see cref="Output"/> all output (reasoning included). Each wire format encodes it
/// in its provider's own convention (Anthropic reports cache reads and writes beside <c>input_tokens</c>), and a test
/// prices it once, whatever the provider.
/// </summary>
public sealed record ScriptedUsage
{
    /// <summary>All input tokens.</summary>
    public required int Input { get; init; }

    /// <summary>All output tokens.</summary>
    public required int Output { get; init; }

    /// <summary>Input tokens read from the prompt cache.</summary>
    public int Cached { get; init; }

    /// <summary>Input tokens written to a 5-minute prompt cache.</summary>
    public int CacheWrite5m { get; init; }

    /// <summary>Input tokens written to a 1-hour prompt cache.</summary>
    public int CacheWrite1h { get; init; }

    /// <summary>Output tokens spent on reasoning.</summary>
    public int Reasoning { get; init; }

    /// <summary>The input tokens priced at the plain input rate.</summary>
    public int Uncached => Input - Cached - CacheWrite5m - CacheWrite1h;
}
