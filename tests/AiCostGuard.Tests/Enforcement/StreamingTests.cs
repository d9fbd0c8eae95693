using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

public sealed class StreamingTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];

    private static async Task<List<ChatResponseUpdate>> ReadAll(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task Usage_in_the_last_update_is_reconciled()
    {
        var governed = new Governed(inner: new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 300, CachedInputTokenCount = 100, OutputTokenCount = 40, ReasoningTokenCount = 10 } });
        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt()));

        Assert.Equal("word word word word word", updates.ToChatResponse().Text);
        CostRecord record = governed.Last;
        Assert.True(record.IsStreaming);
        Assert.Equal((300L, 100L, 40L, 10L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.ReasoningTokens));
        Assert.Equal(Mini.GetCost(new TokenUsage(300, 40, 100, 10)), record.Cost);
        Assert.Equal((CostSource.ProviderReported, BudgetDecision.Allowed, CallOutcome.Succeeded), (record.CostSource, record.Decision, record.Outcome));
    }

    [Fact]
    public async Task Usage_split_over_several_updates_is_summed()
    {
        var governed = new Governed(inner: new FakeChatClient { SplitUsage = true, Usage = new UsageDetails { InputTokenCount = 300, CachedInputTokenCount = 100, OutputTokenCount = 40 } });
        await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt()));
        Assert.Equal((300L, 100L, 40L, CostSource.ProviderReported), (governed.Last.InputTokens, governed.Last.CachedInputTokens, governed.Last.OutputTokens, governed.Last.CostSource));
    }

    [Fact]
    public async Task A_stream_past_its_output_ceiling_is_cut_and_the_caller_can_tell()
    {
        // A runaway model that ignores MaxOutputTokens and streams 100 words, and reports no usage.
        var inner = new FakeChatClient { StreamWords = 100, Usage = null };
        var governed = new Governed(o => o.RequestLimits.MaximumOutputTokens = 10, inner);
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10 }));

        ChatResponseUpdate last = updates[^1];
        BudgetCutContent cut = Assert.Single(last.Contents.OfType<BudgetCutContent>());
        Assert.Equal(BudgetLimitKind.OutputTokens, cut.LimitKind);
        Assert.Equal(ChatFinishReason.Length, last.FinishReason);
        int delivered = updates.Count(u => u.Text.Length > 0);
        Assert.Equal(1, inner.StreamsDisposed);

        CostRecord record = governed.Last;
        Assert.Equal((BudgetDecision.Cut, BudgetLimitKind.OutputTokens, CallOutcome.Succeeded, CostSource.Estimated), (record.Decision, record.LimitKind, record.Outcome, record.CostSource));
        Assert.Equal(cut.OutputTokens, record.OutputTokens);

        // One token per update for OpenAI families: the ten delivered and the one that crossed the ceiling.
        Assert.Equal(10, delivered);
        Assert.Equal(11, record.OutputTokens);
        Assert.Equal(record.Cost, scope.Spent.Cost);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task A_stream_is_cut_at_the_output_its_cost_ceiling_can_pay()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o-mini").Tokens;
        var inner = new FakeChatClient { StreamWords = 200 };
        var governed = new Governed(
            o =>
            {
                o.RequestLimits.MaximumCost = Mini.GetWorstCaseCost(input, 20);
                o.OverBudgetAction = OverBudgetAction.Clamp;
                o.MinimumClampedOutputTokens = 10;
            },
            inner);

        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(prompt));

        Assert.Equal(20, inner.ReceivedOptions[0]!.MaxOutputTokens);
        Assert.Equal(BudgetLimitKind.Cost, Assert.Single(updates[^1].Contents.OfType<BudgetCutContent>()).LimitKind);
        Assert.Equal(BudgetDecision.Cut, governed.Last.Decision);
    }

    [Fact]
    public async Task An_OpenAI_stream_that_keeps_to_its_ceiling_is_not_cut_however_long_its_tokens()
    {
        // OpenAI streams one token per update: twelve-character tokens (an indentation run, say) are still one each.
        var inner = new FakeChatClient { StreamWords = 80, StreamedWord = "            ", Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 80 } };
        var governed = new Governed(o => o.RequestLimits.MaximumOutputTokens = 80, inner);

        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 80 }));

        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<BudgetCutContent>());
        Assert.Equal((BudgetDecision.Allowed, CostSource.ProviderReported, 80L), (governed.Last.Decision, governed.Last.CostSource, governed.Last.OutputTokens));
    }

    [Fact]
    public async Task A_stream_of_another_family_sending_several_tokens_per_update_is_cut_by_its_length()
    {
        // Thirty characters per update is several tokens; the cut counts at least one per six characters.
        var inner = new FakeChatClient { ModelId = "claude-sonnet-4-5", StreamWords = 100, StreamedWord = " thirty characters of output..", Usage = null };
        var governed = new Governed(o => o.RequestLimits.MaximumOutputTokens = 50, inner);

        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 50 }));

        Assert.Single(updates[^1].Contents.OfType<BudgetCutContent>());
        Assert.InRange(updates.Count(u => u.Text.Length > 0), 1, 11);
        Assert.Equal(BudgetDecision.Cut, governed.Last.Decision);
    }

    [Fact]
    public async Task Without_any_ceiling_a_long_stream_is_never_cut()
    {
        var governed = new Governed(inner: new FakeChatClient { StreamWords = 500 });
        List<ChatResponseUpdate> updates = await ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10 }));
        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<BudgetCutContent>());
        Assert.Equal(BudgetDecision.Allowed, governed.Last.Decision);
    }

    [Fact]
    public async Task A_cancelled_stream_is_charged_for_what_it_produced()
    {
        using var cts = new CancellationTokenSource();
        var governed = new Governed(inner: new FakeChatClient { StreamWords = 50 });
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });
        int seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in governed.Client.GetStreamingResponseAsync(Governed.Prompt(), cancellationToken: cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        // Cancelled between reads, the stream aborts at its next read, first taking what is already there: this
        // in-process client never waits, so its final usage report arrives and is the charge.
        CostRecord record = governed.Last;
        Assert.Equal(CallOutcome.Cancelled, record.Outcome);
        Assert.True(record.OutputTokens >= 3);
        Assert.True(record.InputTokens > 0);
        Assert.True(record.Cost > 0);
        Assert.Equal(record.Cost, scope.Spent.Cost);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task An_abandoned_stream_is_charged_and_its_upstream_disposed()
    {
        var inner = new FakeChatClient { StreamWords = 50 };
        var governed = new Governed(inner: inner);
        await foreach (ChatResponseUpdate _ in governed.Client.GetStreamingResponseAsync(Governed.Prompt()))
        {
            break;
        }

        Assert.Equal(1, inner.StreamsDisposed);
        Assert.Equal(CallOutcome.Cancelled, governed.Last.Outcome);
        Assert.True(governed.Last.Cost > 0);
    }

    [Fact]
    public async Task A_provider_failing_mid_stream_propagates_and_the_partial_output_is_charged()
    {
        var governed = new Governed(inner: new FakeChatClient { StreamWords = 50, FailAfterUpdates = 4 });
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        await Assert.ThrowsAsync<HttpRequestException>(() => ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt())));

        CostRecord record = governed.Last;
        Assert.Equal((CallOutcome.Failed, CostSource.Estimated), (record.Outcome, record.CostSource));
        Assert.True(record.OutputTokens >= 4);
        Assert.True(record.InputTokens > 0);
        Assert.Equal(record.Cost, scope.Spent.Cost);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task A_stream_over_budget_is_rejected_before_it_starts()
    {
        var inner = new FakeChatClient();
        var governed = new Governed(o => o.RequestLimits.MaximumCost = 0.000001m, inner);
        await Assert.ThrowsAsync<BudgetExceededException>(() => ReadAll(governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1000 })));
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task A_stream_enumerated_twice_is_two_calls_each_settled()
    {
        var inner = new FakeChatClient();
        var governed = new Governed(inner: inner);
        IAsyncEnumerable<ChatResponseUpdate> stream = governed.Client.GetStreamingResponseAsync(Governed.Prompt());

        List<ChatResponseUpdate> first = await ReadAll(stream);
        List<ChatResponseUpdate> second = await ReadAll(stream);

        Assert.Equal(first.ToChatResponse().Text, second.ToChatResponse().Text);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(2, inner.StreamsDisposed);
        Assert.Equal(2, governed.Ledger.TotalRecorded);
        Assert.All(governed.Ledger.GetRecords(), r => Assert.Equal((CallOutcome.Succeeded, CostSource.ProviderReported), (r.Outcome, r.CostSource)));
    }

    [Fact]
    public async Task A_stream_disposed_before_its_first_update_is_never_sent_nor_recorded()
    {
        var inner = new FakeChatClient();
        var governed = new Governed(inner: inner);

        await using (IAsyncEnumerator<ChatResponseUpdate> updates = governed.Client.GetStreamingResponseAsync(Governed.Prompt()).GetAsyncEnumerator())
        {
            Assert.NotNull(updates);
        }

        Assert.Equal(0, inner.Calls);
        Assert.Equal(0, governed.Ledger.TotalRecorded);
    }

    [Fact]
    public async Task The_token_given_to_the_enumerator_cancels_the_stream_as_the_callers_own_does()
    {
        using var cts = new CancellationTokenSource();
        var inner = new FakeChatClient { StreamWords = 50 };
        var governed = new Governed(inner: inner);
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });
        int seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in governed.Client.GetStreamingResponseAsync(Governed.Prompt()).WithCancellation(cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(3, seen);
        Assert.Equal(1, inner.StreamsDisposed);
        Assert.Equal(CallOutcome.Cancelled, governed.Last.Outcome);
        Assert.True(governed.Last.OutputTokens >= 3);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task A_client_that_throws_before_its_stream_begins_is_recorded_as_failed_and_releases_its_reservation()
    {
        var ledger = new InMemoryCostLedger();
        IChatClient client = new ChatClientBuilder(new ThrowingStreamClient()).UseCostGovernance(o => o.Ledger = ledger).Build();
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        await Assert.ThrowsAsync<HttpRequestException>(() => ReadAll(client.GetStreamingResponseAsync(Governed.Prompt())));

        Assert.Equal(CallOutcome.Failed, ledger.GetRecords()[^1].Outcome);
        Assert.Equal(default, scope.Reserved);
    }

    /// <summary>A client whose <c>GetStreamingResponseAsync</c> throws when called, before any enumerator exists, as a client validating its arguments does.</summary>
    private sealed class ThrowingStreamClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new HttpRequestException("No connection could be made.");

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: "gpt-4o-mini") : null;

        public void Dispose()
        {
        }
    }
}
