using System.Diagnostics;
using System.Text.Json;
using AiCostGuard.Tests.Estimation;
using AiCostGuard.Tests.Fakes;
using AiCostGuard.Tests.Telemetry;

namespace AiCostGuard.Tests.Routing;

public sealed class ModelRoutingTests
{
    private static Governed Routed(Action<ModelRoute> route, Action<CostGovernanceOptions>? configure = null) => new(o =>
    {
        var r = new ModelRoute { Name = "chat", Models = { "auto" } };
        route(r);
        o.Routes.Add(r);
        configure?.Invoke(o);
    });

    private static RouteCandidate Candidate(string modelId, string? tier = null, ModelCapabilities? capabilities = null, int? contextWindow = null) =>
        new() { ModelId = modelId, Tier = tier, Capabilities = capabilities, ContextWindow = contextWindow };

    private static string? Sent(Governed governed) => Assert.Single(governed.Inner.ReceivedOptions)!.ModelId;

    [Fact]
    public async Task The_call_goes_to_the_candidate_with_the_cheapest_worst_case_and_the_ledger_keeps_both_models()
    {
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4o"));
            r.Candidates.Add(Candidate("gpt-4o-mini"));
            r.Candidates.Add(Candidate("gpt-4.1-nano"));
        });
        var options = new ChatOptions { ModelId = "auto", MaxOutputTokens = 500 };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        Assert.Equal("gpt-4.1-nano", Sent(governed));
        Assert.Equal("auto", options.ModelId);
        Assert.NotSame(options, governed.Inner.ReceivedOptions[0]);
        Assert.Equal(("gpt-4.1-nano", "auto"), (governed.Last.ModelId, governed.Last.RequestedModelId));
        Assert.Equal(PriceCatalog.Default.Models["gpt-4.1-nano"].GetCost(new TokenUsage(100, 20)), governed.Last.Cost);
    }

    [Fact]
    public async Task The_worst_case_is_this_calls_a_model_with_a_larger_maximum_output_costs_more_when_the_call_sets_none()
    {
        // Per token gpt-4.1-nano is cheaper than gpt-4o-mini, but without MaxOutputTokens its worst case writes 32,768 tokens, gpt-4o-mini's 16,384.
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4.1-nano"));
            r.Candidates.Add(Candidate("gpt-4o-mini"));
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto" });

        Assert.Equal("gpt-4o-mini", Sent(governed));
    }

    [Fact]
    public async Task A_call_that_asks_for_the_chosen_model_keeps_the_callers_options_and_records_no_requested_model()
    {
        Governed governed = new(o => o.Routes.Add(new ModelRoute
        {
            Name = "chat",
            Models = { "gpt-4o-mini" },
            Candidates = { Candidate("gpt-4o"), Candidate("gpt-4o-mini") },
        }));
        var options = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 100 };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        Assert.Same(options, Assert.Single(governed.Inner.ReceivedOptions));
        Assert.Null(governed.Last.RequestedModelId);
    }

    [Fact]
    public async Task A_call_no_route_takes_is_sent_as_asked()
    {
        Governed governed = Routed(r => r.Candidates.Add(Candidate("gpt-4.1-nano")));
        var options = new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);

        Assert.Same(options, Assert.Single(governed.Inner.ReceivedOptions));
    }

    [Fact]
    public async Task A_candidate_whose_context_window_cannot_hold_the_input_and_output_is_passed_over()
    {
        // gpt-3.5-turbo is cheaper than gpt-4o, and its catalog window is 16,385 tokens.
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-3.5-turbo"));
            r.Candidates.Add(Candidate("gpt-4o"));
        });
        List<ChatMessage> longPrompt = [new(ChatRole.User, string.Concat(Enumerable.Repeat("word ", 20_000)))];

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 1000 });
        await governed.Client.GetResponseAsync(longPrompt, new ChatOptions { ModelId = "auto", MaxOutputTokens = 1000 });

        Assert.Equal(["gpt-3.5-turbo", "gpt-4o"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
    }

    [Fact]
    public async Task A_declared_context_window_counts_input_and_output_together()
    {
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4.1-nano", contextWindow: 1_000));
            r.Candidates.Add(Candidate("gpt-4o-mini"));
        });
        long input = TokenEstimator.EstimateInputTokens(Governed.Prompt(), "gpt-4.1-nano").Tokens;

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = (int)(1_000 - input) });
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = (int)(1_000 - input + 1) });

        Assert.Equal(["gpt-4.1-nano", "gpt-4o-mini"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
    }

    [Fact]
    public async Task A_call_asking_more_output_than_a_candidate_writes_is_passed_to_one_that_writes_it()
    {
        // gpt-4o-mini writes at most 16,384 tokens; gpt-4.1-mini 32,768.
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4o-mini"));
            r.Candidates.Add(Candidate("gpt-4.1-mini"));
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 20_000 });

        Assert.Equal("gpt-4.1-mini", Sent(governed));
    }

    public static TheoryData<string> Needs() => ["tools", "image", "json schema", "reasoning"];

    private static (List<ChatMessage> Messages, ChatOptions Options, ModelCapabilities Need) Needing(string need)
    {
        List<ChatMessage> messages = Governed.Prompt();
        var options = new ChatOptions { ModelId = "auto", MaxOutputTokens = 200 };
        switch (need)
        {
            case "tools":
                options.Tools = [AIFunctionFactory.Create(() => 42, "answer")];
                return (messages, options, ModelCapabilities.Tools);
            case "image":
                messages.Add(new ChatMessage(ChatRole.User, [new DataContent(MediaSamples.Png(512, 512), "image/png")]));
                return (messages, options, ModelCapabilities.ImageInput);
            case "json schema":
                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{ "type": "object", "properties": { "answer": { "type": "integer" } } }""").RootElement, "answer");
                return (messages, options, ModelCapabilities.JsonSchema);
            default:
                options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High };
                return (messages, options, ModelCapabilities.Reasoning);
        }
    }

    [Theory]
    [MemberData(nameof(Needs))]
    public async Task A_request_goes_only_to_a_candidate_that_accepts_what_it_uses(string need)
    {
        (List<ChatMessage> messages, ChatOptions options, ModelCapabilities capability) = Needing(need);
        const ModelCapabilities All = ModelCapabilities.Tools | ModelCapabilities.ImageInput | ModelCapabilities.JsonSchema | ModelCapabilities.Reasoning;
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4.1-nano", capabilities: All & ~capability));
            r.Candidates.Add(Candidate("gpt-4o", capabilities: capability));
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 200 });
        await governed.Client.GetResponseAsync(messages, options);

        Assert.Equal(["gpt-4.1-nano", "gpt-4o"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
    }

    [Fact]
    public async Task Capabilities_not_declared_on_a_candidate_are_the_catalogs()
    {
        // The catalog (LiteLLM's supports_reasoning) gives o4-mini reasoning and gpt-4o-mini none.
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.ImageInput | ModelCapabilities.JsonSchema, PriceCatalog.Default.Models["gpt-4o-mini"].Capabilities);
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4o-mini"));
            r.Candidates.Add(Candidate("o4-mini"));
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 200, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } });
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 200, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });

        Assert.Equal(["o4-mini", "gpt-4o-mini"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
    }

    [Fact]
    public async Task A_tools_request_whose_tool_mode_is_none_uses_no_tools()
    {
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4.1-nano", capabilities: ModelCapabilities.None));
            r.Candidates.Add(Candidate("gpt-4o"));
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 200, Tools = [AIFunctionFactory.Create(() => 42, "answer")], ToolMode = ChatToolMode.None });

        Assert.Equal("gpt-4.1-nano", Sent(governed));
    }

    private static void Tiered(ModelRoute r)
    {
        r.Candidates.Add(Candidate("gpt-4.1-nano", tier: "simple"));
        r.Candidates.Add(Candidate("gpt-4o-mini", tier: "simple"));
        r.Candidates.Add(Candidate("gpt-4.1", tier: "complex"));
        r.Candidates.Add(Candidate("gpt-4o", tier: "complex"));
    }

    [Fact]
    public async Task A_callers_tier_hint_routes_among_that_tiers_candidates()
    {
        Governed governed = Routed(Tiered);
        var options = new ChatOptions { ModelId = "auto", MaxOutputTokens = 500, AdditionalProperties = new() { [ModelRoute.TierProperty] = "complex" } };

        await governed.Client.GetResponseAsync(Governed.Prompt(), options);
        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 500 });

        Assert.Equal(["gpt-4.1", "gpt-4.1-nano"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
    }

    [Fact]
    public async Task The_classifier_names_the_tier_from_the_request_and_a_hint_wins_over_it()
    {
        var seen = new List<RoutingRequest>();
        Governed governed = Routed(r =>
        {
            Tiered(r);
            r.Classifier = request =>
            {
                seen.Add(request);
                return request.Messages.Any(m => m.Text.Contains("prove", StringComparison.Ordinal)) ? "complex" : "simple";
            };
        });

        using (CostAttribution.Begin(new CostAttribution { Team = "math" }))
        {
            await governed.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "prove that 2 is prime")], new ChatOptions { ModelId = "auto", MaxOutputTokens = 500 });
        }

        await governed.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions { ModelId = "auto", MaxOutputTokens = 500 });
        await governed.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions { ModelId = "auto", MaxOutputTokens = 500, AdditionalProperties = new() { [ModelRoute.TierProperty] = "complex" } });

        Assert.Equal(["gpt-4.1", "gpt-4.1-nano", "gpt-4.1"], governed.Inner.ReceivedOptions.Select(o => o!.ModelId));
        Assert.Equal(2, seen.Count);
        Assert.Equal(("chat", "auto", "math"), (seen[0].RouteName, seen[0].RequestedModelId, seen[0].Attribution.Team));
        Assert.Equal(TokenEstimator.EstimateInputTokens([new ChatMessage(ChatRole.User, "hello")], "gpt-4.1-nano").Tokens, seen[1].InputTokens);
    }

    [Fact]
    public async Task A_tier_the_route_does_not_have_fails_the_call_naming_the_route_and_its_tiers()
    {
        Governed governed = Routed(Tiered);

        ModelRoutingException e = await Assert.ThrowsAsync<ModelRoutingException>(() => governed.Client.GetResponseAsync(Governed.Prompt(),
            new ChatOptions { ModelId = "auto", AdditionalProperties = new() { [ModelRoute.TierProperty] = "hard" } }));

        Assert.Equal("chat", e.RouteName);
        Assert.Contains("'hard'", e.Message, StringComparison.Ordinal);
        Assert.Contains("simple, complex", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, governed.Inner.Calls);
    }

    [Fact]
    public async Task A_classifier_that_throws_fails_the_call_naming_the_route_and_the_refusal_is_recorded()
    {
        var failure = new InvalidOperationException("the classifier model is down");
        Governed governed = Routed(r =>
        {
            Tiered(r);
            r.Classifier = _ => throw failure;
        });

        ModelRoutingException e = await Assert.ThrowsAsync<ModelRoutingException>(() => governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto" }));

        Assert.Same(failure, e.InnerException);
        Assert.Equal(("chat", "auto"), (e.RouteName, e.RequestedModelId));
        Assert.Contains("route 'chat'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, governed.Inner.Calls);
        CostRecord refused = governed.Last;
        Assert.Equal((CallOutcome.NotSent, "auto"), (refused.Outcome, refused.ModelId));
        Assert.Contains("route 'chat'", refused.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_classifier_that_throws_sends_the_call_to_the_requested_model_when_the_route_says_so_and_logs_it()
    {
        var logger = new ListLogger<ModelRoutingTests>();
        var inner = new FakeChatClient();
        var ledger = new InMemoryCostLedger();
        using var client = new CostGovernanceChatClient(inner, Options(o => o.Routes.Add(new ModelRoute
        {
            Name = "chat",
            Candidates = { Candidate("gpt-4.1-nano", tier: "simple"), Candidate("gpt-4.1", tier: "complex") },
            Classifier = _ => throw new TimeoutException("slow"),
            WhenUnroutable = UnroutableCallAction.UseRequestedModel,
        }), ledger), logger: logger);

        await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 });

        Assert.Equal("gpt-4o", Assert.Single(inner.ReceivedOptions)!.ModelId);
        Assert.Equal(("gpt-4o", null), (ledger.GetRecords()[^1].ModelId, ledger.GetRecords()[^1].RequestedModelId));
        Assert.Contains(logger.Entries, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("Route 'chat'", StringComparison.Ordinal) && l.Message.Contains("slow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_no_candidate_fits_is_refused_with_why_each_was_passed_over()
    {
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4.1-nano", capabilities: ModelCapabilities.None));
            r.Candidates.Add(Candidate("gpt-4o-mini", contextWindow: 100));
        });

        ModelRoutingException e = await Assert.ThrowsAsync<ModelRoutingException>(() => governed.Client.GetResponseAsync(Governed.Prompt(),
            new ChatOptions { ModelId = "auto", MaxOutputTokens = 200, Tools = [AIFunctionFactory.Create(() => 42, "answer")] }));

        Assert.Equal(0, governed.Inner.Calls);
        Assert.Contains("No candidate of route 'chat' fits the call to 'auto'", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpt-4.1-nano does not accept Tools", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpt-4o-mini has a context window of 100 tokens", e.Message, StringComparison.Ordinal);
        Assert.Equal(["gpt-4.1-nano", "gpt-4o-mini"], e.Candidates.Select(c => c.ModelId));
        Assert.All(e.Candidates, c => Assert.NotNull(c.Unfit));
        Assert.Equal(CallOutcome.NotSent, governed.Last.Outcome);
    }

    [Fact]
    public async Task A_call_no_candidate_fits_goes_to_the_requested_model_when_the_route_says_so_but_not_a_call_that_asked_for_none()
    {
        Governed governed = Routed(r =>
        {
            r.Models.Clear();
            r.Candidates.Add(Candidate("gpt-4.1-nano", contextWindow: 10));
            r.WhenUnroutable = UnroutableCallAction.UseRequestedModel;
        });

        await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 });
        governed.Inner.ModelId = null;
        await Assert.ThrowsAsync<ModelRoutingException>(() => new ChatClientBuilder(governed.Inner)
            .UseCostGovernance(o => o.Routes.Add(new ModelRoute { Name = "any", Candidates = { Candidate("gpt-4.1-nano", contextWindow: 10) }, WhenUnroutable = UnroutableCallAction.UseRequestedModel }))
            .Build()
            .GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 100 }));

        Assert.Equal("gpt-4o", Assert.Single(governed.Inner.ReceivedOptions)!.ModelId);
    }

    [Fact]
    public async Task A_streamed_call_is_routed_too()
    {
        Governed governed = Routed(r =>
        {
            r.Candidates.Add(Candidate("gpt-4o"));
            r.Candidates.Add(Candidate("gpt-4.1-nano"));
        });

        await foreach (ChatResponseUpdate _ in governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 100 }))
        {
        }

        Assert.Equal("gpt-4.1-nano", Sent(governed));
        Assert.Equal(("gpt-4.1-nano", "auto"), (governed.Last.ModelId, governed.Last.RequestedModelId));
    }

    [Fact]
    public async Task The_budget_decides_on_the_chosen_model()
    {
        // The ceiling pays the cheapest candidate's worst case but not the dearest's: the call is allowed, on the cheap model.
        List<ChatMessage> prompt = Governed.Prompt();
        decimal nano = PriceCatalog.Default.Models["gpt-4.1-nano"].GetWorstCaseCost(TokenEstimator.EstimateInputTokens(prompt, "gpt-4.1-nano").Tokens, 1000);
        Governed governed = Routed(
            r =>
            {
                r.Candidates.Add(Candidate("gpt-4o"));
                r.Candidates.Add(Candidate("gpt-4.1-nano"));
            },
            o => o.RequestLimits.MaximumCost = nano);

        await governed.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "auto", MaxOutputTokens = 1000 });

        Assert.Equal(BudgetDecision.Allowed, governed.Last.Decision);
        Assert.Equal("gpt-4.1-nano", Sent(governed));
    }

    [Fact]
    public void A_quote_lists_what_each_candidate_would_cost_at_worst_and_which_the_route_chose()
    {
        var inner = new FakeChatClient();
        using var governor = new CostGovernanceChatClient(inner, Options(o => o.Routes.Add(new ModelRoute
        {
            Name = "chat",
            Models = { "auto" },
            Candidates = { Candidate("gpt-4o"), Candidate("gpt-4.1-nano", contextWindow: 50), Candidate("gpt-4o-mini"), Candidate("gpt-3.5-turbo") },
        })));
        List<ChatMessage> prompt = Governed.Prompt();

        CostQuote quote = governor.Quote(prompt, new ChatOptions { ModelId = "auto", MaxOutputTokens = 300 });

        Assert.Equal("gpt-4o-mini", quote.ModelId);
        Assert.Equal(["gpt-4o", "gpt-4.1-nano", "gpt-4o-mini", "gpt-3.5-turbo"], quote.Candidates!.Select(c => c.ModelId));
        foreach (CandidateQuote candidate in quote.Candidates!)
        {
            long input = TokenEstimator.EstimateInputTokens(prompt, candidate.ModelId).Tokens;
            Assert.Equal((input, 300L), (candidate.InputTokens, candidate.MaximumOutputTokens));
            Assert.Equal(PriceCatalog.Default.Models[candidate.ModelId].GetWorstCaseCost(input, 300), candidate.WorstCaseCost);
        }

        Assert.Equal([false, false, true, false], quote.Candidates!.Select(c => c.IsChosen));
        Assert.Contains("context window of 50", quote.Candidates![1].Unfit, StringComparison.Ordinal);
        Assert.Equal(quote.Candidates![2].WorstCaseCost, quote.WorstCaseCost);
        Assert.Null(governor.Quote(prompt, new ChatOptions { ModelId = "gpt-4o" }).Candidates);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task The_requested_model_of_a_routed_call_round_trips_through_the_json_lines_ledger()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-routing-").FullName;
        await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
        {
            using IChatClient client = new ChatClientBuilder(new FakeChatClient())
                .UseCostGovernance(o =>
                {
                    o.Ledger = ledger;
                    o.Routes.Add(new ModelRoute { Name = "chat", Models = { "auto" }, Candidates = { Candidate("gpt-4o"), Candidate("gpt-4.1-nano") } });
                })
                .Build();
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 100 });
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 100 });
        }

        LedgerContents read = CostLedgerReader.Read(dir);
        Assert.Equal([("gpt-4.1-nano", "auto"), ("gpt-4o", null)], read.Calls.Select(c => (c.ModelId, c.RequestedModelId)));
    }

    [Fact]
    public async Task The_span_names_the_requested_model_of_a_routed_call()
    {
        using var telemetry = new TelemetryHarness();
        var ledger = new InMemoryCostLedger();
        using IChatClient client = new ChatClientBuilder(new FakeChatClient())
            .UseOpenTelemetry()
            .UseCostGovernance(o =>
            {
                o.Ledger = ledger;
                o.Routes.Add(new ModelRoute { Name = "chat", Models = { "auto" }, Candidates = { Candidate("gpt-4o"), Candidate("gpt-4.1-nano") } });
            })
            .Build();

        await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "auto", MaxOutputTokens = 100 });

        Activity chat = Assert.Single(telemetry.Spans, s => s.Source.Name == CostGovernanceTelemetry.ExtensionsAISourceName && s.TraceId == ledger.GetRecords()[^1].TraceId);
        Assert.Equal("auto", chat.GetTagItem(CostGovernanceTelemetry.RequestedModelAttribute));
    }

    [Fact]
    public async Task A_routing_refusal_is_never_retried()
    {
        int classified = 0;
        var inner = new FakeChatClient();
        using IChatClient client = new ChatClientBuilder(inner)
            .UseBudgetAwareRetry(o =>
            {
                o.Delay = TimeSpan.Zero;
                o.MaxRetryAttempts = 3;
                o.ShouldHandle = _ => new ValueTask<bool>(true);
            })
            .UseCostGovernance(o => o.Routes.Add(new ModelRoute
            {
                Name = "chat",
                Candidates = { Candidate("gpt-4.1-nano", tier: "simple") },
                Classifier = _ => ++classified > 0 ? throw new TimeoutException("slow") : null,
            }))
            .Build();

        await Assert.ThrowsAsync<ModelRoutingException>(() => client.GetResponseAsync(Governed.Prompt()));

        Assert.Equal((1, 0), (classified, inner.Calls));
    }

    private static CostGovernanceOptions Options(Action<CostGovernanceOptions> configure, ICostLedger? ledger = null)
    {
        var options = new CostGovernanceOptions { Ledger = ledger };
        configure(options);
        return options;
    }
}
