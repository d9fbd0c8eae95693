using System.CommandLine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>--candidates a,b,c</c> on <c>quote</c>: the request weighed as a route of these models would weigh it — the same
/// rule, through a governed client that never sends — with each candidate's worst case and whether it fits.
/// </summary>
internal static class CandidatesOption
{
    public static Option<string> Create() => new("--candidates")
    {
        Description = "Models a route could send the request to, comma-separated: each one's worst case, whether it fits, and the cheapest that does.",
    };

    public static IReadOnlyList<CandidateQuote> Quote(PriceCatalog catalog, string modelId, string candidates, List<ChatMessage> messages, ChatOptions? request, long? maxOutput, string? serviceTier)
    {
        string[] models = candidates.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (models.Length == 0)
        {
            throw new CommandInputException("--candidates names no model.");
        }

        var route = new ModelRoute { Name = "--candidates" };
        foreach (string model in models)
        {
            route.Candidates.Add(new RouteCandidate { ModelId = model });
        }

        var options = new CostGovernanceOptions { Catalog = catalog, UnknownModels = UnknownModelPolicy.AllowUnpriced, Routes = { route } };
        ChatOptions sent = request?.Clone() ?? new ChatOptions();
        sent.ModelId = modelId;
        sent.MaxOutputTokens = maxOutput is { } output ? checked((int)Math.Min(int.MaxValue, output)) : null;
        if (serviceTier is not null)
        {
            (sent.AdditionalProperties ??= [])["service_tier"] = serviceTier;
        }

        try
        {
            using var governor = new CostGovernanceChatClient(new UnsentChatClient(), options);
            return governor.Quote(messages, sent).Candidates ?? [];
        }
        catch (OptionsValidationException e)
        {
            throw new CommandInputException("--candidates: " + string.Join(" ", e.Failures));
        }
        catch (ModelRoutingException e)
        {
            // Nothing fits: each candidate says why, which is the answer.
            return e.Candidates;
        }
    }

    /// <summary>The model behind a quote, which is never called.</summary>
    private sealed class UnsentChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A quote sends nothing.");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A quote sends nothing.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
