using System.Diagnostics;
using AiCostGuard.IntegrationTests.Infrastructure.Providers;

namespace AiCostGuard.IntegrationTests.Providers;

/// <summary>
/// OllamaSharp reads its stream line by line without the call's token and checks the token only between lines, so no
/// cancellation can abort a pending read: a cut or a cancel ends its stream at the provider's next line, and the
/// response is then drained by the default handler. These tests pin down what governance still guarantees with it.
/// </summary>
public sealed class OllamaSharpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static List<ChatMessage> Prompt() => [new(ChatRole.User, "Count.")];

    [Fact]
    public async Task A_cut_ends_the_stream_at_the_next_line_and_is_charged_for_what_was_counted()
    {
        await using Governed governed = await Governed.StartAsync(ProviderClients.Ollama, o => o.RequestLimits.MaximumOutputTokens = 20);
        governed.Server.Enqueue(new ProviderReply { Text = string.Join(' ', Enumerable.Repeat("token", 200)), Usage = null });

        var texts = new List<string>();
        BudgetCutContent? cut = null;
        await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 20 }))
        {
            cut ??= update.Contents.OfType<BudgetCutContent>().SingleOrDefault();
            texts.Add(update.Text);
        }

        long endedAt = Stopwatch.GetTimestamp();
        ServedRequest served = governed.Server.Requests[0];
        Task ended = await Task.WhenAny(served.Completed, served.Closed).WaitAsync(Patience);
        TestContext.Current.SendDiagnosticMessage(
            $"ollama: after the cut the provider sent {served.DeltasSent} of 200 deltas; its connection {(ended == served.Closed ? "closed" : "was drained to the end")} {Stopwatch.GetElapsedTime(endedAt).TotalMilliseconds:0.0} ms after the caller's stream ended");
        Assert.NotNull(cut);
        Assert.Equal(20, texts.Count(t => t.Length > 0));
        CostRecord record = governed.Last;
        Assert.Equal((BudgetDecision.Cut, CostSource.Estimated), (record.Decision, record.CostSource));
        Assert.InRange(record.OutputTokens, 20, 200);
        Assert.Equal(((record.InputTokens * 0.1m) + (record.OutputTokens * 0.3m)) / 1_000_000m, record.Cost);
    }

    [Fact]
    public async Task A_cancel_ends_the_stream_at_the_next_line_and_is_charged()
    {
        await using Governed governed = await Governed.StartAsync(ProviderClients.Ollama);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        governed.Server.Enqueue(new ProviderReply { Text = "one two three four five six", Usage = null, HoldOpenAfterDeltas = 3, ResumeWhen = resume.Task });
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            int received = 0;
            await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Prompt(), cancellationToken: cancel.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await governed.Server.Requests[0].Holding.WaitAsync(Patience);
                    await cancel.CancelAsync();

                    // The provider's next line is what OllamaSharp needs to notice the cancel.
                    resume.SetResult();
                }
            }
        });

        CostRecord record = governed.Last;
        Assert.Equal((CallOutcome.Cancelled, CostSource.Estimated), (record.Outcome, record.CostSource));
        Assert.True(record.OutputTokens >= 3);
        Assert.Equal(((record.InputTokens * 0.1m) + (record.OutputTokens * 0.3m)) / 1_000_000m, record.Cost);
    }
}
