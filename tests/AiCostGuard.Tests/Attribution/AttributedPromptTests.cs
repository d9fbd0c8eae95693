namespace AiCostGuard.Tests.Attribution;

public sealed class AttributedPromptTests
{
    [Fact]
    public async Task A_string_prompt_is_sent_as_one_user_message_booked_to_the_attribution_over_the_ambient_one()
    {
        var inner = new RecordingClient();
        using (CostAttribution.Begin(new CostAttribution { Tenant = "acme", Team = "search" }))
        {
            await inner.GetResponseAsync("What is new?", new CostAttribution { Team = "support", Feature = "digest" });
            await foreach (ChatResponseUpdate _ in inner.GetStreamingResponseAsync("And now?", new CostAttribution { Feature = "stream" }))
            {
            }
        }

        Assert.Equal(
            [("What is new?", "acme", "support", "digest"), ("And now?", "acme", "search", "stream")],
            inner.Calls.Select(c => (c.Text, c.Seen.Tenant, c.Seen.Team, c.Seen.Feature)));
        Assert.Same(CostAttribution.Empty, CostAttribution.Current);
    }

    private sealed class RecordingClient : IChatClient
    {
        public List<(string Text, CostAttribution Seen)> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add((Assert.Single(messages, m => m.Role == ChatRole.User).Text, CostAttribution.Current));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls.Add((Assert.Single(messages, m => m.Role == ChatRole.User).Text, CostAttribution.Current));
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
