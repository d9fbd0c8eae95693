using AiCostGuard.IntegrationTests.Infrastructure.Providers;

namespace AiCostGuard.IntegrationTests.Providers;

/// <summary>Azure OpenAI's SDK on a deployment whose name the governed client aliases to a catalog model.</summary>
public sealed class AzureOpenAiTests
{
    [Fact]
    public async Task A_deployment_alias_is_estimated_with_its_models_tokenizer_and_priced_at_its_rates()
    {
        await using Governed governed = await Governed.StartAsync(ProviderClients.AzureOpenAi);
        governed.Server.Enqueue(new ProviderReply { Text = "2, 3, 5", Usage = null });
        List<ChatMessage> prompt = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Name three primes.")];

        await governed.Client.GetResponseAsync(prompt);

        Assert.Equal("/openai/deployments/prod-chat/chat/completions", governed.Server.Requests[0].Path);
        CostRecord record = governed.Last;
        InputTokenEstimate exact = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o");
        // Counted with gpt-4o's tokenizer (the pre-send bound, then the exact count when no usage came), not at characters per token.
        Assert.InRange(record.EstimatedInputTokens, exact.Tokens, exact.Tokens + 4);
        Assert.Equal((exact.Tokens, (long)TokenEstimator.CountTokens("2, 3, 5", "o200k_base")), (record.InputTokens, record.OutputTokens));
        Assert.Equal(((record.InputTokens * 3m) + (record.OutputTokens * 12m)) / 1_000_000m, record.Cost);
    }
}
