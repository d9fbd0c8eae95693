using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

public sealed class CostGovernanceChatClientTests
{
    private static readonly ModelPrice Mini = PriceCatalog.Default.Models["gpt-4o-mini"];

    private static long ExactInput(IEnumerable<ChatMessage> messages, string model = "gpt-4o-mini") =>
        TokenEstimator.EstimateInputTokens(messages, model).Tokens;

    [Fact]
    public async Task The_worst_case_is_reserved_before_sending_and_the_reported_usage_committed_after()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt);
        var governed = new Governed();
        BudgetUsage? inFlight = null;
        governed.Inner.OnCall = (_, _) =>
        {
            inFlight = BudgetScope.Current!.Reserved;
            return Task.CompletedTask;
        };

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "run");
        await governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 500 });

        Assert.Equal(new BudgetUsage(input, 500, Mini.GetWorstCaseCost(input, 500)), inFlight);
        Assert.Equal(default, scope.Reserved);
        Assert.Equal(new BudgetUsage(100, 20, Mini.GetCost(new TokenUsage(100, 20))), scope.Spent);
        Assert.Equal(1, scope.ModelCallCount);

        CostRecord record = governed.Last;
        Assert.Equal((100L, 20L), (record.InputTokens, record.OutputTokens));
        Assert.Equal(Mini.GetCost(new TokenUsage(100, 20)), record.Cost);
        Assert.Equal(CostSource.ProviderReported, record.CostSource);
        Assert.Equal(BudgetDecision.Allowed, record.Decision);
        Assert.Equal(CallOutcome.Succeeded, record.Outcome);
        Assert.Equal("run", record.ScopeName);
        Assert.Equal("fake", record.Provider);
        Assert.Equal(input, record.EstimatedInputTokens);
    }

    [Fact]
    public async Task A_call_over_the_per_request_cost_ceiling_is_rejected_before_it_is_sent()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt);
        var governed = new Governed(o => o.RequestLimits.MaximumCost = 0.0001m);

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 1000 }));

        Assert.Equal(BudgetLimitKind.Cost, e.LimitKind);
        Assert.Equal(0.0001m, e.Limit);
        Assert.Equal(0m, e.Spent);
        Assert.Equal(Mini.GetWorstCaseCost(input, 1000), e.Requested);
        Assert.Equal("request", e.BudgetName);
        Assert.Contains("cost ceiling of budget 'request': limit $0.0001", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, governed.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, 0m), (governed.Last.Decision, governed.Last.Outcome, governed.Last.Cost));
    }

    [Fact]
    public async Task A_prompt_over_the_input_ceiling_is_rejected_with_its_exact_size()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt);
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumInputTokens = input - 1;
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(prompt));
        Assert.Equal((BudgetLimitKind.InputTokens, input - 1, input), (e.LimitKind, (long)e.Limit, (long)e.Requested));
    }

    [Fact]
    public async Task Clamp_lowers_MaxOutputTokens_to_the_output_ceiling_without_touching_the_callers_options()
    {
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumOutputTokens = 100;
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });
        var options = new ChatOptions { MaxOutputTokens = 1000, Temperature = 0.5f };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        ChatOptions sent = governed.Inner.ReceivedOptions[0]!;
        Assert.Equal(100, sent.MaxOutputTokens);
        Assert.Equal((100L, "request"), (governed.Last.MaximumOutputTokens, governed.Last.LimitBudget));
        Assert.Equal(0.5f, sent.Temperature);
        Assert.Equal(1000, options.MaxOutputTokens);
        Assert.Equal((BudgetDecision.Clamped, BudgetLimitKind.OutputTokens), (governed.Last.Decision, governed.Last.LimitKind));
    }

    [Fact]
    public async Task Clamp_lowers_MaxOutputTokens_to_what_the_remaining_cost_can_pay()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt);
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumCost = Mini.GetWorstCaseCost(input, 200);
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 4000 });

        Assert.Equal(200, governed.Inner.ReceivedOptions[0]!.MaxOutputTokens);
        Assert.Equal(BudgetLimitKind.Cost, governed.Last.LimitKind);
    }

    [Fact]
    public async Task Clamp_prices_output_at_the_long_context_tier_the_input_falls_in()
    {
        // Below the tier's threshold the whole request is at base rates: what the budget buys is counted at $10/M, not $40/M.
        var tiered = new ModelPrice
        {
            InputPerMillion = 1m,
            OutputPerMillion = 10m,
            LongContextTiers = [new LongContextPrice { AboveInputTokens = 200_000, InputPerMillion = 2m, OutputPerMillion = 40m }],
        };
        // An OpenAI family, counted exactly, so the ceiling can be set to the input the call will reserve.
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt, "gpt-4o-tiered");
        var governed = new Governed(o =>
        {
            o.Prices["gpt-4o-tiered"] = tiered;
            o.UnknownModels = UnknownModelPolicy.AllowUnpriced;
            o.RequestLimits.MaximumCost = tiered.GetWorstCaseCost(input, 300);
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4o-tiered", MaxOutputTokens = 4000 });

        Assert.Equal(300, governed.Inner.ReceivedOptions[0]!.MaxOutputTokens);
    }

    [Fact]
    public async Task Clamp_rejects_when_the_affordable_output_is_below_the_minimum()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = ExactInput(prompt);
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumCost = Mini.GetWorstCaseCost(input, 10);
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = 64;
        });

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 4000 }));
        Assert.Equal(BudgetLimitKind.Cost, e.LimitKind);
        Assert.Equal(Mini.GetWorstCaseCost(input, 4000), e.Requested);
        Assert.Equal(0, governed.Inner.Calls);
    }

    [Fact]
    public async Task Without_MaxOutputTokens_the_models_maximum_output_is_the_worst_case()
    {
        var governed = new Governed(o => o.OverBudgetAction = OverBudgetAction.Clamp);
        BudgetUsage? inFlight = null;
        governed.Inner.OnCall = (_, _) =>
        {
            inFlight = BudgetScope.Current!.Reserved;
            return Task.CompletedTask;
        };

        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumTotalTokens = 1_000_000 });
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Equal((long)Mini.MaximumOutputTokens!.Value, inFlight!.Value.OutputTokens);
    }

    [Fact]
    public async Task Shadow_mode_records_what_it_would_have_done_and_sends_the_call_unchanged()
    {
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumCost = 0.000001m;
            o.Mode = EnforcementMode.Shadow;
        });
        var options = new ChatOptions { MaxOutputTokens = 1000 };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        Assert.Same(options, governed.Inner.ReceivedOptions[0]);
        Assert.Equal((BudgetDecision.ShadowRejected, BudgetLimitKind.Cost, CallOutcome.Succeeded), (governed.Last.Decision, governed.Last.LimitKind, governed.Last.Outcome));
    }

    [Fact]
    public async Task Shadow_mode_records_a_clamp_it_did_not_apply()
    {
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumOutputTokens = 100;
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.Mode = EnforcementMode.Shadow;
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1000 });

        Assert.Equal(1000, governed.Inner.ReceivedOptions[0]!.MaxOutputTokens);
        Assert.Equal(BudgetDecision.ShadowClamped, governed.Last.Decision);
    }

    [Fact]
    public async Task A_child_scope_without_a_cost_ceiling_spends_against_its_parent()
    {
        var governed = new Governed();
        using BudgetScope parent = BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.0002m }, "workflow");
        using (BudgetScope child = BudgetScope.Begin(new BudgetLimits { MaximumModelCalls = 10 }, "sub-agent"))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 });
            Assert.Equal(child.Spent, parent.Spent);

            BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1000 }));
            Assert.Equal("workflow", e.BudgetName);
            Assert.Equal(parent.Spent.Cost, e.Spent);
            Assert.Equal("workflow", governed.Last.LimitBudget);
        }
    }

    [Fact]
    public async Task An_unknown_model_is_rejected_by_default()
    {
        var governed = new Governed();
        UnknownModelException e = await Assert.ThrowsAsync<UnknownModelException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune" }));
        Assert.Equal("my-finetune", e.ModelId);
        Assert.Equal(0, governed.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, "unpriced model", "my-finetune"), (governed.Last.Decision, governed.Last.Outcome, governed.Last.RefusalReason, governed.Last.ModelId));
    }

    [Fact]
    public async Task An_unknown_model_runs_flagged_unpriced_when_allowed_and_token_ceilings_still_apply()
    {
        var governed = new Governed(o => o.UnknownModels = UnknownModelPolicy.AllowUnpriced);
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune" });
        Assert.Equal((CostSource.Unpriced, 0m, 100L), (governed.Last.CostSource, governed.Last.Cost, governed.Last.InputTokens));

        var limited = new Governed(o =>
        {
            o.UnknownModels = UnknownModelPolicy.AllowUnpriced;
            o.RequestLimits.MaximumInputTokens = 5;
        });
        await Assert.ThrowsAsync<BudgetExceededException>(() => limited.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune" }));
    }

    [Fact]
    public async Task A_call_naming_no_model_is_an_unknown_model()
    {
        var governed = new Governed(inner: new FakeChatClient { ModelId = null });
        UnknownModelException e = await Assert.ThrowsAsync<UnknownModelException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
        Assert.Null(e.ModelId);
        Assert.Contains("names no model", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task An_empty_model_id_is_a_clear_error(string modelId)
    {
        var governed = new Governed();
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = modelId }));
        Assert.Contains("ModelId", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-10)]
    public async Task A_non_positive_MaxOutputTokens_is_a_clear_error(int maxOutput)
    {
        var governed = new Governed();
        await Assert.ThrowsAsync<ArgumentException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = maxOutput }));
    }

    [Fact]
    public async Task A_response_without_usage_is_estimated_and_flagged()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        var governed = new Governed(inner: new FakeChatClient { Usage = null });
        ChatResponse response = await governed.Client.GetResponseAsync(prompt);

        CostRecord record = governed.Last;
        Assert.Equal(CostSource.Estimated, record.CostSource);
        Assert.Equal(ExactInput(prompt), record.InputTokens);
        Assert.Equal(TokenEstimator.CountTokens(response.Text, "o200k_base"), record.OutputTokens);
        Assert.Equal(Mini.GetCost(new TokenUsage(record.InputTokens, record.OutputTokens)), record.Cost);
    }

    [Fact]
    public async Task Cached_tokens_above_input_are_capped_at_input_never_priced_below_it()
    {
        var governed = new Governed(inner: new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 100, CachedInputTokenCount = 150, OutputTokenCount = 20 } });
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Equal(100, governed.Last.CachedInputTokens);
        Assert.Equal(Mini.GetCost(new TokenUsage(100, 20, CachedInputTokens: 100)), governed.Last.Cost);
    }

    [Fact]
    public async Task Cached_and_reasoning_tokens_are_recorded_and_priced_once()
    {
        var governed = new Governed(inner: new FakeChatClient { Usage = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 400, OutputTokenCount = 300, ReasoningTokenCount = 200 } });
        await governed.Client.GetResponseAsync(Governed.Prompt());
        CostRecord record = governed.Last;
        Assert.Equal((1000L, 400L, 300L, 200L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.ReasoningTokens));
        Assert.Equal(((600 * 0.15m) + (400 * 0.075m) + (300 * 0.6m)) / 1_000_000m, record.Cost);
    }

    [Fact]
    public async Task The_reported_snapshot_is_priced_through_its_family()
    {
        var governed = new Governed(inner: new FakeChatClient { ModelId = "gpt-4o", ResponseModelId = "gpt-4o-2024-08-06" });
        await governed.Client.GetResponseAsync(Governed.Prompt());
        Assert.Equal("gpt-4o-2024-08-06", governed.Last.ModelId);
        Assert.Equal(PriceCatalog.Default.Models["gpt-4o"].GetCost(new TokenUsage(100, 20)), governed.Last.Cost);
    }

    [Fact]
    public async Task A_failed_call_releases_its_reservation_and_is_recorded()
    {
        var governed = new Governed(inner: new FakeChatClient { Throw = new HttpRequestException("503") });
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        await Assert.ThrowsAsync<HttpRequestException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));

        Assert.Equal(default, scope.Reserved);
        Assert.Equal(0m, scope.Spent.Cost);
        Assert.Equal(CallOutcome.Failed, governed.Last.Outcome);
    }

    [Fact]
    public async Task A_cancelled_call_is_charged_for_its_prompt()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        using var cts = new CancellationTokenSource();
        var governed = new Governed();
        governed.Inner.OnCall = async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        };
        using BudgetScope scope = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => governed.Client.GetResponseAsync(prompt, cancellationToken: cts.Token));

        long input = ExactInput(prompt);
        Assert.Equal((CallOutcome.Cancelled, CostSource.Estimated, input), (governed.Last.Outcome, governed.Last.CostSource, governed.Last.InputTokens));
        Assert.Equal(new BudgetUsage(input, 0, Mini.GetCost(new TokenUsage(input, 0))), scope.Spent);
        Assert.Equal(default, scope.Reserved);
    }

    [Fact]
    public async Task A_call_far_from_its_ceilings_is_not_tokenized()
    {
        string text = $"Summarize ticket {Guid.NewGuid()} in one line.";
        var governed = new Governed(o => o.RequestLimits.MaximumCost = 10m);
        await governed.Client.GetResponseAsync([new ChatMessage(ChatRole.User, text)]);

        Assert.False(TiktokenEncoding.O200kBase.TryGetCached(text, out _));
        Assert.Equal(EstimatePrecision.Approximate, governed.Last.EstimatePrecision);
    }

    [Fact]
    public async Task A_call_near_its_ceiling_is_counted_exactly_and_admitted_when_it_fits()
    {
        string text = $"Summarize ticket {Guid.NewGuid()} in one line.";
        List<ChatMessage> prompt = [new(ChatRole.User, text)];
        long exact = TokenEstimator.Estimate(prompt, null, TiktokenEncoding.O200kBase, 0).Tokens;
        Assert.True(TiktokenEncoding.O200kBase.TryGetCached(text, out _));

        // Same text, new instance: counts are cached per instance, so this one has not been counted.
        string fresh = new(text.AsSpan());
        Assert.False(TiktokenEncoding.O200kBase.TryGetCached(fresh, out _));
        var governed = new Governed(o => o.RequestLimits.MaximumInputTokens = exact);
        await governed.Client.GetResponseAsync([new ChatMessage(ChatRole.User, fresh)]);

        Assert.True(TiktokenEncoding.O200kBase.TryGetCached(fresh, out _));
        Assert.Equal((EstimatePrecision.Exact, exact), (governed.Last.EstimatePrecision, governed.Last.EstimatedInputTokens));
    }

    [Fact]
    public async Task An_image_of_unknown_size_reserves_the_largest_image_so_an_input_ceiling_cannot_be_passed()
    {
        List<ChatMessage> prompt = [new(ChatRole.User, [new TextContent("What is in this picture?"), new UriContent("https://example.com/cat.png", "image/png")])];
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o-mini");
        long text = estimate.Tokens - TokenEstimator.TokensPerImage;

        // Room for the usual image but not for the largest one the provider could bill.
        var tight = new Governed(o => o.RequestLimits.MaximumInputTokens = text + TokenEstimator.TokensPerImage + 100);
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => tight.Client.GetResponseAsync(prompt));
        Assert.Equal((BudgetLimitKind.InputTokens, (decimal)(text + TokenEstimator.MaximumTokensPerImage)), (e.LimitKind, e.Requested));
        Assert.Equal(0, tight.Inner.Calls);

        var roomy = new Governed(o => o.RequestLimits.MaximumInputTokens = text + TokenEstimator.MaximumTokensPerImage);
        await roomy.Client.GetResponseAsync(prompt);
        Assert.Equal((EstimatePrecision.Bounded, text + TokenEstimator.TokensPerImage), (roomy.Last.EstimatePrecision, roomy.Last.EstimatedInputTokens));
    }

    [Fact]
    public void A_null_inner_client_or_builder_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new CostGovernanceChatClient(null!));
        Assert.Throws<ArgumentNullException>(() => ((ChatClientBuilder)null!).UseCostGovernance());
    }

    [Fact]
    public async Task Null_messages_are_rejected()
    {
        var governed = new Governed();
        await Assert.ThrowsAsync<ArgumentNullException>(() => governed.Client.GetResponseAsync((IEnumerable<ChatMessage>)null!));
    }

    [Fact]
    public void Invalid_options_fail_at_build_time_with_every_problem_listed()
    {
        var builder = new ChatClientBuilder(new FakeChatClient()).UseCostGovernance(o =>
        {
            o.RequestLimits.MaximumCost = -1m;
            o.RequestLimits.MaximumInputTokens = 0;
            o.MinimumClampedOutputTokens = 0;
            o.DefaultMaximumOutputTokens = -3;
            o.Prices["bad"] = new ModelPrice { InputPerMillion = -2m, OutputPerMillion = 1m };
            o.Mode = (EnforcementMode)42;
        });

        Microsoft.Extensions.Options.OptionsValidationException e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => builder.Build());
        Assert.Equal(6, e.Failures.Count());
        Assert.Contains("RequestLimits.MaximumCost", e.Message, StringComparison.Ordinal);
        Assert.Contains("RequestLimits.MaximumInputTokens", e.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumClampedOutputTokens", e.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultMaximumOutputTokens", e.Message, StringComparison.Ordinal);
        Assert.Contains("Prices[bad]", e.Message, StringComparison.Ordinal);
        Assert.Contains("Mode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_changed_after_build_do_not_move_a_ceiling_in_force()
    {
        var options = new CostGovernanceOptions();
        options.RequestLimits.MaximumCost = 0.000001m;
        var client = new CostGovernanceChatClient(new FakeChatClient(), options);
        options.RequestLimits.MaximumCost = 100m;
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt()));
    }

    [Fact]
    public async Task Price_overrides_from_the_options_are_used()
    {
        var governed = new Governed(o => o.Prices["my-finetune"] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 2m });
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune" });
        Assert.Equal(((100 * 1m) + (20 * 2m)) / 1_000_000m, governed.Last.Cost);
    }

    [Fact]
    public void The_middleware_is_found_through_GetService()
    {
        var governed = new Governed();
        CostGovernanceChatClient? middleware = governed.Client.GetService<CostGovernanceChatClient>();
        Assert.NotNull(middleware);
        Assert.Same(governed.Ledger, middleware.Ledger);
    }
}
