using System.Text.Json;
using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Routing;

/// <summary>Routing never sends a call to a candidate that does not fit, nor passes over a cheaper one that does.</summary>
public sealed class RoutingPropertyTests
{
    private static readonly string[] Pool =
        ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-nano", "gpt-5-nano", "o4-mini", "gpt-3.5-turbo", "gpt-4-turbo", "claude-haiku-4-5", "gemini-2.5-flash-lite"];

    private static readonly AITool Tool = AIFunctionFactory.Create(() => 42, "answer");

    private static readonly JsonElement Schema = JsonDocument.Parse("""{ "type": "object" }""").RootElement.Clone();

    private sealed record Call(RouteCandidate[] Candidates, int Words, int? MaxOutput, bool Tools, bool Json, bool Reasoning, bool FallBack);

    private static Gen<Call> Calls()
    {
        Gen<RouteCandidate> candidate =
            from model in Gen.Elements(Pool)
            from window in Gen.Elements<int?>(null, 300, 2_000, 20_000)
            from capabilities in Gen.Elements<ModelCapabilities?>(null, null, (ModelCapabilities)0, (ModelCapabilities)1, (ModelCapabilities)6, (ModelCapabilities)15)
            select new RouteCandidate { ModelId = model, ContextWindow = window, Capabilities = capabilities };
        return
            from candidates in Gen.NonEmptyListOf(candidate)
            from words in Gen.Choose(0, 4_000)
            from maxOutput in Gen.Elements<int?>(null, 50, 1_000, 10_000, 40_000, 120_000)
            from tools in Gen.Elements(true, false)
            from json in Gen.Elements(true, false)
            from reasoning in Gen.Elements(true, false)
            from fallBack in Gen.Elements(true, false)
            select new Call([.. candidates.DistinctBy(c => c.ModelId)], words, maxOutput, tools, json, reasoning, fallBack);
    }

    /// <summary>What the call would reserve and cost on <paramref name="candidate"/>, and whether it fits — worked out apart from the router.</summary>
    private static (bool Fits, decimal Cost) Weigh(RouteCandidate candidate, List<ChatMessage> messages, ChatOptions options, ModelCapabilities needs)
    {
        ModelPrice price = PriceCatalog.Default.Models[candidate.ModelId];
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(messages, candidate.ModelId, options);
        long input = TokenEstimator.GetEncodingName(candidate.ModelId) is not null ? estimate.UpperBound : new InputTokenCalibrator().Apply(candidate.ModelId, estimate).UpperBound;
        long output = options.MaxOutputTokens ?? price.MaximumOutputTokens!.Value;
        ModelCapabilities capabilities = candidate.Capabilities ?? price.Capabilities ?? ModelCapabilities.None;
        bool fits = (needs & ~capabilities) == 0
            && (options.MaxOutputTokens is null || options.MaxOutputTokens <= price.MaximumOutputTokens)
            && input + output <= (candidate.ContextWindow ?? price.ContextWindow!.Value);
        return (fits, price.GetWorstCaseCost(input, output));
    }

    [Property(MaxTest = 150)]
    public Property The_chosen_candidate_fits_and_no_cheaper_one_does_and_a_call_nothing_fits_is_refused_or_sent_as_asked()
    {
        return Prop.ForAll(Calls().ToArbitrary(), call =>
        {
            var route = new ModelRoute { Name = "chat", Models = { "gpt-4o" }, WhenUnroutable = call.FallBack ? UnroutableCallAction.UseRequestedModel : UnroutableCallAction.Reject };
            foreach (RouteCandidate candidate in call.Candidates)
            {
                route.Candidates.Add(candidate);
            }

            var governed = new Governed(o => o.Routes.Add(route));
            List<ChatMessage> messages = [new(ChatRole.System, "You are terse."), new(ChatRole.User, string.Concat(Enumerable.Repeat("word ", call.Words)))];
            var options = new ChatOptions
            {
                ModelId = "gpt-4o",
                MaxOutputTokens = call.MaxOutput,
                Tools = call.Tools ? [Tool] : null,
                ResponseFormat = call.Json ? ChatResponseFormat.ForJsonSchema(Schema, "answer") : null,
                Reasoning = call.Reasoning ? new ReasoningOptions { Effort = ReasoningEffort.Medium } : null,
            };
            ModelCapabilities needs = (call.Tools ? ModelCapabilities.Tools : 0) | (call.Json ? ModelCapabilities.JsonSchema : 0) | (call.Reasoning ? ModelCapabilities.Reasoning : 0);
            (RouteCandidate Candidate, bool Fits, decimal Cost)[] weighed = [.. call.Candidates.Select(c => Weigh(c, messages, options, needs) is var (fits, cost) ? (c, fits, cost) : default)];
            (RouteCandidate Candidate, bool Fits, decimal Cost)[] fitting = [.. weighed.Where(w => w.Fits)];

            ModelRoutingException? refusal = null;
            try
            {
                governed.Client.GetResponseAsync(messages, options).GetAwaiter().GetResult();
            }
            catch (ModelRoutingException e)
            {
                refusal = e;
            }

            string? sent = governed.Inner.ReceivedOptions.SingleOrDefault()?.ModelId;
            if (fitting.Length == 0)
            {
                return call.FallBack
                    ? (sent == "gpt-4o" && refusal is null).Label($"nothing fits: sent as asked, got {sent}")
                    : (refusal is { RouteName: "chat" } && governed.Inner.Calls == 0 && refusal.Candidates.Count == call.Candidates.Length
                        && refusal.Candidates.All(c => c.Unfit is not null)).Label("nothing fits: refused before sending, every candidate said why");
            }

            decimal cheapest = fitting.Min(w => w.Cost);
            (RouteCandidate Candidate, bool Fits, decimal Cost) chosen = weighed.SingleOrDefault(w => w.Candidate.ModelId == sent);
            return (refusal is null && chosen.Candidate is not null).Label($"sent to a candidate, got {sent}")
                .And(chosen.Fits.Label($"{sent} fits the call"))
                .And((chosen.Cost == cheapest).Label($"{sent} costs {chosen.Cost} at worst; the cheapest fitting candidate {cheapest}"))
                .And((sent == fitting.First(w => w.Cost == cheapest).Candidate.ModelId).Label("equal costs go to the first listed"))
                .And((options.ModelId == "gpt-4o").Label("the caller's options are unchanged"));
        });
    }
}
