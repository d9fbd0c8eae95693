using System.ClientModel;
using AiCostGuard.IntegrationTests.Infrastructure;

namespace AiCostGuard.IntegrationTests.Enforcement;

/// <summary>
/// The real OpenAI .NET SDK client behind <c>UseCostGovernance()</c>, talking HTTP to a loopback server that speaks
/// OpenAI's chat-completions wire format.
/// </summary>
public sealed class OpenAiSdkGovernanceTests : IAsyncLifetime
{
    private static readonly ModelPrice Gpt4o = PriceCatalog.Default.Models["gpt-4o"];

    private readonly OpenAiLoopbackServer _server = new();
    private readonly InMemoryCostLedger _ledger = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private IChatClient Governed(Action<CostGovernanceOptions>? configure = null) =>
        new ChatClientBuilder(_server.CreateChatClient("gpt-4o"))
            .UseCostGovernance(o =>
            {
                o.Ledger = _ledger;
                configure?.Invoke(o);
            })
            .Build();

    private static List<ChatMessage> Prompt() => [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Name three primes.")];

    private CostRecord Last => _ledger.GetRecords()[^1];

    [Fact]
    public async Task Cached_and_reasoning_usage_from_the_wire_is_priced_on_the_reported_snapshot()
    {
        _server.Enqueue(new LoopbackReply { Text = "2, 3, 5", PromptTokens = 1234, CachedTokens = 1000, CompletionTokens = 300, ReasoningTokens = 200, Model = "gpt-4o-2024-08-06" });

        ChatResponse response = await Governed().GetResponseAsync(Prompt());

        Assert.Equal("2, 3, 5", response.Text);
        CostRecord record = Last;
        Assert.Equal("gpt-4o-2024-08-06", record.ModelId);
        Assert.Equal("openai", record.Provider);
        Assert.Equal((1234L, 1000L, 300L, 200L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.ReasoningTokens));
        Assert.Equal(((234 * 2.5m) + (1000 * 1.25m) + (300 * 10m)) / 1_000_000m, record.Cost);
        Assert.Equal(CostSource.ProviderReported, record.CostSource);
    }

    [Fact]
    public async Task Streamed_usage_in_the_final_chunk_is_reconciled()
    {
        _server.Enqueue(new LoopbackReply { Text = "two three five", PromptTokens = 800, CachedTokens = 512, CompletionTokens = 40, ReasoningTokens = 8 });

        var text = new System.Text.StringBuilder();
        await foreach (ChatResponseUpdate update in Governed().GetStreamingResponseAsync(Prompt()))
        {
            text.Append(update.Text);
        }

        Assert.Equal("two three five", text.ToString());
        Assert.True(_server.Requests[0].StreamIncludeUsage);
        CostRecord record = Last;
        Assert.Equal((800L, 512L, 40L, 8L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.ReasoningTokens));
        Assert.Equal(Gpt4o.GetCost(new TokenUsage(800, 40, 512, 8)), record.Cost);
        Assert.Equal((CostSource.ProviderReported, CallOutcome.Succeeded), (record.CostSource, record.Outcome));
    }

    [Fact]
    public async Task A_streamed_call_is_priced_at_the_snapshot_its_chunks_name_as_a_whole_response_is()
    {
        var snapshot = new ModelPrice { InputPerMillion = 5m, OutputPerMillion = 15m };
        IChatClient client = Governed(o => o.Prices["gpt-4o-2024-05-13"] = snapshot);
        _server.Enqueue(new LoopbackReply { Text = "two three five", PromptTokens = 800, CompletionTokens = 40, Model = "gpt-4o-2024-05-13" });
        _server.Enqueue(new LoopbackReply { Text = "two three five", PromptTokens = 800, CompletionTokens = 40, Model = "gpt-4o-2024-05-13" });

        await client.GetResponseAsync(Prompt());
        CostRecord whole = Last;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt()))
        {
            Assert.NotNull(update);
        }

        CostRecord streamed = Last;
        decimal expected = ((800 * 5m) + (40 * 15m)) / 1_000_000m;
        Assert.Equal(("gpt-4o-2024-05-13", expected), (whole.ModelId, whole.Cost));
        Assert.Equal(("gpt-4o-2024-05-13", expected), (streamed.ModelId, streamed.Cost));
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("anything/gpt-4o-mini")]
    public async Task A_response_naming_a_cheaper_model_of_another_family_is_charged_the_model_asked_for(string reported)
    {
        _server.Enqueue(new LoopbackReply { Text = "2, 3, 5", PromptTokens = 1000, CompletionTokens = 100, Model = reported });

        await Governed().GetResponseAsync(Prompt());

        CostRecord record = Last;
        Assert.Equal(((1000 * 2.5m) + (100 * 10m)) / 1_000_000m, record.Cost);
        Assert.Equal((reported, "gpt-4o"), (record.ModelId, record.RequestedModelId));
        Assert.True(record.PricingNotes.HasFlag(PricingNotes.ReportedModelMismatch));
    }

    [Fact]
    public async Task A_stream_cut_while_the_provider_keeps_generating_closes_the_connection_at_once_with_the_default_handler()
    {
        // A provider that would go on for about 4 s: 800 chunks, 5 ms apart. Draining the disposed response (the
        // default handler's behaviour between reads) would keep it generating for 2 s more after the cut.
        _server.Enqueue(new LoopbackReply { Text = string.Join(' ', Enumerable.Repeat("token", 800)), ChunkDelay = TimeSpan.FromMilliseconds(5), IncludeUsage = false });
        IChatClient client = Governed(o => o.RequestLimits.MaximumOutputTokens = 20);

        ChatResponseUpdate? last = null;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 20 }))
        {
            last = update;
        }

        var sinceCut = System.Diagnostics.Stopwatch.StartNew();
        await _server.WaitForDisconnectAsync(TimeSpan.FromSeconds(1.5));
        TestContext.Current.SendDiagnosticMessage($"connection closed {sinceCut.Elapsed.TotalMilliseconds:0} ms after the cut reached the caller");
        Assert.Single(last!.Contents.OfType<BudgetCutContent>());
        Assert.Equal((BudgetDecision.Cut, CallOutcome.Succeeded), (Last.Decision, Last.Outcome));
        Assert.InRange(Last.OutputTokens, 20, 100);
    }

    [Fact]
    public async Task A_clamped_call_reaches_the_wire_with_the_lowered_max_completion_tokens()
    {
        _server.Enqueue(new LoopbackReply { Text = "ok" });

        await Governed(o =>
        {
            o.RequestLimits.MaximumOutputTokens = 150;
            o.OverBudgetAction = OverBudgetAction.Clamp;
        }).GetResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 2000 });

        Assert.Equal(150, _server.Requests[0].EffectiveMaxOutputTokens);
        Assert.Equal(BudgetDecision.Clamped, Last.Decision);
    }

    [Fact]
    public async Task A_rejected_call_never_reaches_the_wire()
    {
        IChatClient client = Governed(o => o.RequestLimits.MaximumCost = 0.0001m);
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 4000 }));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_stream_cut_at_its_ceiling_cancels_the_upstream_HTTP_response()
    {
        string runaway = string.Join(' ', Enumerable.Repeat("token", 200));
        _server.Enqueue(new LoopbackReply { Text = runaway, HoldOpenAfterChunks = 60, IncludeUsage = false });
        IChatClient client = Governed(o => o.RequestLimits.MaximumOutputTokens = 20);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 20 }))
        {
            updates.Add(update);
        }

        Assert.Single(updates[^1].Contents.OfType<BudgetCutContent>());

        // With the default handler, a response disposed between reads is drained for 2 s while the provider keeps
        // generating; the cut aborts it instead, well before that.
        var sinceCut = System.Diagnostics.Stopwatch.StartNew();
        await _server.WaitForDisconnectAsync(TimeSpan.FromSeconds(1.5));
        TestContext.Current.SendDiagnosticMessage($"connection closed {sinceCut.Elapsed.TotalMilliseconds:0} ms after the cut reached the caller");
        Assert.Equal(20, _server.Requests[0].EffectiveMaxOutputTokens);
        Assert.Equal((BudgetDecision.Cut, CostSource.Estimated), (Last.Decision, Last.CostSource));
        Assert.True(Last.Cost > 0);
    }

    [Fact]
    public async Task A_stream_cancelled_by_the_caller_is_charged_and_the_upstream_is_closed()
    {
        _server.Enqueue(new LoopbackReply { Text = "one two three four five six", HoldOpenAfterChunks = 3 });
        using var cts = new CancellationTokenSource();
        int received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in Governed().GetStreamingResponseAsync(Prompt(), cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0 && ++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        await _server.WaitForDisconnectAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((CallOutcome.Cancelled, CostSource.Estimated), (Last.Outcome, Last.CostSource));
        Assert.True(Last.OutputTokens >= 3);
        Assert.True(Last.Cost > 0);
    }

    [Fact]
    public async Task A_provider_failing_mid_stream_surfaces_and_is_charged_for_what_it_produced()
    {
        _server.Enqueue(new LoopbackReply { Text = "alpha beta gamma delta epsilon", FailAfterChunks = 2 });
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (ChatResponseUpdate _ in Governed().GetStreamingResponseAsync(Prompt()))
            {
            }
        });

        Assert.Equal(CallOutcome.Failed, Last.Outcome);
        Assert.True(Last.OutputTokens >= 2);
        Assert.Equal(Last.Cost, scope.Spent.Cost);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task An_HTTP_error_propagates_releases_the_reservation_and_is_recorded()
    {
        _server.Enqueue(LoopbackReply.Error(500, "boom"));
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() => Governed().GetResponseAsync(Prompt()));

        Assert.Equal(500, e.Status);
        Assert.Equal((CallOutcome.Failed, 0m), (Last.Outcome, Last.Cost));
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task A_response_without_usage_is_estimated_and_flagged()
    {
        _server.Enqueue(new LoopbackReply { Text = "2, 3, 5", IncludeUsage = false });
        await Governed().GetResponseAsync(Prompt());
        Assert.Equal(CostSource.Estimated, Last.CostSource);
        Assert.Equal(TokenEstimator.EstimateInputTokens(Prompt(), "gpt-4o").Tokens, Last.InputTokens);
        Assert.Equal(TokenEstimator.CountTokens("2, 3, 5", "o200k_base"), Last.OutputTokens);
    }

    [Fact]
    public async Task Parallel_calls_through_the_SDK_never_exceed_a_shared_cost_ceiling()
    {
        const int Calls = 20;
        List<ChatMessage> prompt = Prompt();
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o").Tokens;
        decimal worstCase = Gpt4o.GetWorstCaseCost(input, 500);
        decimal ceiling = worstCase * 6.5m;
        for (int i = 0; i < Calls; i++)
        {
            _server.Enqueue(new LoopbackReply { Text = "ok", PromptTokens = (int)input, CompletionTokens = 500 });
        }

        IChatClient client = Governed();
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = ceiling }, "batch");
        int rejected = 0;
        await Task.WhenAll(Enumerable.Range(0, Calls).Select(async _ =>
        {
            try
            {
                await client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 500 });
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref rejected);
            }
        }));

        Assert.Equal(Calls - 6, rejected);
        Assert.Equal(6, _server.Requests.Count);
        Assert.True(scope.Spent.Cost <= ceiling);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task Inside_a_tool_loop_every_model_call_is_governed_and_recorded()
    {
        _server.Enqueue(new LoopbackReply { ToolCalls = [new LoopbackToolCall("call_1", "get_weather", """{"city":"Paris"}""")], PromptTokens = 50, CompletionTokens = 10 });
        _server.Enqueue(new LoopbackReply { Text = "Sunny in Paris.", PromptTokens = 80, CompletionTokens = 6 });
        IChatClient client = new ChatClientBuilder(_server.CreateChatClient("gpt-4o"))
            .UseFunctionInvocation()
            .UseCostGovernance(o => o.Ledger = _ledger)
            .Build();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")] };

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Weather in Paris?")], options);

        Assert.Equal("Sunny in Paris.", response.Text);
        IReadOnlyList<CostRecord> records = _ledger.GetRecords();
        Assert.Equal(2, records.Count);
        Assert.Equal([50L, 80L], records.Select(r => r.InputTokens));
        Assert.Equal(Gpt4o.GetCost(new TokenUsage(50, 10)) + Gpt4o.GetCost(new TokenUsage(80, 6)), records.Sum(r => r.Cost));
    }
}
