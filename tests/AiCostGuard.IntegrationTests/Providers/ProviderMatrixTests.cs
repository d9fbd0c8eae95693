using System.Diagnostics;
using AiCostGuard.IntegrationTests.Infrastructure.Providers;

namespace AiCostGuard.IntegrationTests.Providers;

/// <summary>
/// Every real provider SDK, with its default transport, behind <c>UseCostGovernance()</c> against a loopback server that
/// speaks its wire format: whole and streamed answers, each usage kind the provider reports, no usage, a cut, a cancel
/// and a failure mid-stream. Costs are worked out here from the test's own prices.
/// </summary>
public sealed class ProviderMatrixTests
{
    // The cut must stop the provider: with the default handler a drained response keeps the connection for 2 s.
    private static readonly TimeSpan MostCutToClose = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Clients => [.. ProviderClients.All.Keys];

    // OllamaSharp reads without the call's token: its cut and cancel are tested apart (OllamaSharpTests).
    public static TheoryData<string> AbortableClients => [.. ProviderClients.Abortable];

    private static List<ChatMessage> Prompt() => [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Name three primes.")];

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_whole_answer_is_priced_from_each_usage_kind_the_provider_reports_at_the_model_it_names(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider);
        ScriptedUsage usage = provider.FullUsage();
        governed.Server.Enqueue(new ProviderReply { Text = "2, 3, 5", Usage = usage, Model = provider.AnsweringModel });

        ChatResponse response = await governed.Client.GetResponseAsync(Prompt());

        Assert.Equal("2, 3, 5", response.Text);
        AssertCharged(provider, usage, governed.Last, streaming: false);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_streamed_answer_is_priced_as_the_whole_answer_is(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider);
        ScriptedUsage usage = provider.FullUsage();
        governed.Server.Enqueue(new ProviderReply { Text = "two three five", Usage = usage, Model = provider.AnsweringModel });

        string text = string.Concat(await governed.StreamAsync(Prompt()));

        Assert.Equal("two three five", text);
        AssertCharged(provider, usage, governed.Last, streaming: true);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task An_answer_without_usage_is_estimated_and_flagged_never_free(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider);
        governed.Server.Enqueue(new ProviderReply { Text = "two three five seven", Usage = null });
        governed.Server.Enqueue(new ProviderReply { Text = "two three five seven", Usage = null });

        await governed.Client.GetResponseAsync(Prompt());
        CostRecord whole = governed.Last;
        await governed.StreamAsync(Prompt());
        CostRecord streamed = governed.Last;

        foreach (CostRecord record in new[] { whole, streamed })
        {
            Assert.Equal(CostSource.Estimated, record.CostSource);
            Assert.True(record.InputTokens > 0 && record.OutputTokens > 0, $"{record.InputTokens} in, {record.OutputTokens} out");
            Assert.Equal(PriceOf(provider.Price, record.InputTokens - record.CachedInputTokens, 0, 0, 0, record.OutputTokens), record.Cost);
        }
    }

    [Theory]
    [MemberData(nameof(AbortableClients))]
    public async Task A_stream_cut_at_its_ceiling_closes_the_providers_connection_at_once(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider, o => o.RequestLimits.MaximumOutputTokens = 20);
        governed.Server.Enqueue(new ProviderReply { Text = string.Join(' ', Enumerable.Repeat("token", 200)), Usage = null, HoldOpenAfterDeltas = 30 });

        long lastDelivered = 0;
        BudgetCutContent? cut = null;
        await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 20 }))
        {
            cut ??= update.Contents.OfType<BudgetCutContent>().SingleOrDefault();
            if (cut is null)
            {
                lastDelivered = Stopwatch.GetTimestamp();
            }
        }

        long closedAt = await governed.Server.Requests[0].Closed.WaitAsync(Patience);
        TimeSpan cutToClose = Stopwatch.GetElapsedTime(lastDelivered, closedAt);
        TestContext.Current.SendDiagnosticMessage($"{name}: connection closed {cutToClose.TotalMilliseconds:0.0} ms after the last update before the cut");
        Assert.NotNull(cut);
        Assert.True(cutToClose <= MostCutToClose, $"closed {cutToClose.TotalMilliseconds} ms after the cut");
        CostRecord record = governed.Last;
        Assert.Equal((BudgetDecision.Cut, CostSource.Estimated), (record.Decision, record.CostSource));
        Assert.InRange(record.OutputTokens, 20, 60);
        Assert.Equal(PriceOf(provider.Price, record.InputTokens, 0, 0, 0, record.OutputTokens), record.Cost);
    }

    [Theory]
    [MemberData(nameof(AbortableClients))]
    public async Task A_stream_the_caller_cancels_is_charged_and_its_connection_closed(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider);
        governed.Server.Enqueue(new ProviderReply { Text = "one two three four five six", Usage = null, HoldOpenAfterDeltas = 3 });
        using var cancel = new CancellationTokenSource();

        long cancelledAt = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            int received = 0;
            await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Prompt(), cancellationToken: cancel.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await governed.Server.Requests[0].Holding.WaitAsync(Patience);
                    cancelledAt = Stopwatch.GetTimestamp();
                    await cancel.CancelAsync();
                }
            }
        });

        long closedAt = await governed.Server.Requests[0].Closed.WaitAsync(Patience);
        TimeSpan cancelToClose = Stopwatch.GetElapsedTime(cancelledAt, closedAt);
        TestContext.Current.SendDiagnosticMessage($"{name}: connection closed {cancelToClose.TotalMilliseconds:0.0} ms after the cancel");
        Assert.True(cancelToClose <= MostCutToClose, $"closed {cancelToClose.TotalMilliseconds} ms after the cancel");
        CostRecord record = governed.Last;
        Assert.Equal((CallOutcome.Cancelled, CostSource.Estimated), (record.Outcome, record.CostSource));
        Assert.True(record.OutputTokens >= 3);
        Assert.Equal(PriceOf(provider.Price, record.InputTokens, 0, 0, 0, record.OutputTokens), record.Cost);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_provider_failing_mid_stream_surfaces_and_what_it_produced_is_charged(string name)
    {
        ProviderClient provider = ProviderClients.All[name];
        await using Governed governed = await Governed.StartAsync(provider);
        var handedOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        governed.Server.Enqueue(new ProviderReply { Text = "alpha beta gamma delta epsilon", Usage = null, FailAfterDeltas = 2, FailWhen = handedOn.Task });
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        Exception failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            int received = 0;
            await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Prompt()))
            {
                if (update.Text.Length > 0 && ++received == 2)
                {
                    handedOn.SetResult();
                }
            }
        });

        Assert.IsNotType<OperationCanceledException>(failure, exactMatch: false);
        CostRecord record = governed.Last;
        Assert.Equal(CallOutcome.Failed, record.Outcome);
        Assert.True(record.OutputTokens >= 2);
        Assert.Equal(PriceOf(provider.Price, record.InputTokens, 0, 0, 0, record.OutputTokens), record.Cost);
        Assert.Equal((record.Cost, default(BudgetUsage)), (scope.Spent.Cost, scope.Reserved));
    }

    private static void AssertCharged(ProviderClient provider, ScriptedUsage usage, CostRecord record, bool streaming)
    {
        Assert.Equal((provider.AnsweringModel, streaming), (record.ModelId, record.IsStreaming));
        Assert.Equal(CostSource.ProviderReported, record.CostSource);
        Assert.Equal(
            (usage.Input, usage.Cached, usage.CacheWrite5m + usage.CacheWrite1h, usage.Output, usage.Reasoning),
            ((int)record.InputTokens, (int)record.CachedInputTokens, (int)record.CacheWriteTokens, (int)record.OutputTokens, (int)record.ReasoningTokens));
        Assert.Equal(PriceOf(provider.Price, usage.Uncached, usage.Cached, usage.CacheWrite5m, usage.CacheWrite1h, usage.Output), record.Cost);
    }

    /// <summary>The provider's published formula, from the test's prices: each kind of token at its own rate.</summary>
    private static decimal PriceOf(ModelPrice price, long uncached, long cached, long write5m, long write1h, long output) =>
        ((uncached * price.InputPerMillion)
         + (cached * (price.CachedInputPerMillion ?? price.InputPerMillion))
         + (write5m * (price.CacheWritePerMillion ?? price.InputPerMillion))
         + (write1h * (price.CacheWriteOneHourPerMillion ?? price.CacheWritePerMillion ?? price.InputPerMillion))
         + (output * price.OutputPerMillion)) / 1_000_000m;
}
