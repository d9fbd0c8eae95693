using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Enforcement;

/// <summary>A clamp leaves a model that reasons room to answer: its effort is lowered first, and below the floor the call is refused.</summary>
public sealed class ReasoningClampTests
{
    private static Governed Clamping(long outputCeiling, string model, Action<CostGovernanceOptions>? configure = null) =>
        new(o =>
        {
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.RequestLimits.MaximumOutputTokens = outputCeiling;
            configure?.Invoke(o);
        }, new FakeChatClient { ModelId = model });

    [Fact]
    public void The_catalog_says_which_models_reason()
    {
        Assert.True(PriceCatalog.Default.Models["gpt-5-mini"].SupportsReasoning);
        Assert.True(PriceCatalog.Default.Models["o3"].SupportsReasoning);
        Assert.False(PriceCatalog.Default.Models["gpt-4o-mini"].SupportsReasoning);
    }

    [Fact]
    public async Task A_clamped_call_to_a_reasoning_model_is_sent_with_low_effort_first()
    {
        Governed g = Clamping(2_000, "gpt-5-mini");
        var asked = new ChatOptions { MaxOutputTokens = 8_000, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } };

        await g.Client.GetResponseAsync(Governed.Prompt(), asked);

        ChatOptions sent = g.Inner.ReceivedOptions[^1]!;
        Assert.Equal((2_000, ReasoningEffort.Low), (sent.MaxOutputTokens, sent.Reasoning!.Effort));
        Assert.Equal(ReasoningEffort.High, asked.Reasoning.Effort);
        Assert.Equal(BudgetDecision.Clamped, g.Last.Decision);
    }

    [Fact]
    public async Task A_clamped_call_that_asks_for_less_reasoning_keeps_its_level_and_one_that_is_not_clamped_is_unchanged()
    {
        Governed g = Clamping(2_000, "gpt-5-mini", o => o.ClampedReasoningEffort = ReasoningEffort.Medium);

        await g.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 8_000, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });
        Assert.Equal(ReasoningEffort.None, g.Inner.ReceivedOptions[^1]!.Reasoning!.Effort);

        await g.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 8_000 });
        Assert.Equal(ReasoningEffort.Medium, g.Inner.ReceivedOptions[^1]!.Reasoning!.Effort);

        var fits = new ChatOptions { MaxOutputTokens = 1_500 };
        await g.Client.GetResponseAsync(Governed.Prompt(), fits);
        Assert.Same(fits, g.Inner.ReceivedOptions[^1]);
    }

    [Fact]
    public async Task A_reasoning_model_is_refused_rather_than_clamped_below_the_floor_and_a_model_that_does_not_reason_is_clamped_unchanged()
    {
        Governed reasoning = Clamping(500, "gpt-5-mini");
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => reasoning.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 4_000 }));
        Assert.Equal((BudgetLimitKind.OutputTokens, "request"), (e.LimitKind, e.BudgetName));
        Assert.Equal(0, reasoning.Inner.Calls);
        Assert.Equal(BudgetDecision.Rejected, reasoning.Last.Decision);

        Governed plain = Clamping(500, "gpt-4o-mini");
        await plain.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 4_000 });
        ChatOptions sent = plain.Inner.ReceivedOptions[^1]!;
        Assert.Equal((500, null), (sent.MaxOutputTokens, sent.Reasoning));
    }

    [Fact]
    public async Task The_floor_is_an_option()
    {
        Governed g = Clamping(500, "gpt-5-mini", o => o.MinimumClampedReasoningOutputTokens = 400);

        await g.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 4_000 });

        Assert.Equal((500, ReasoningEffort.Low), (g.Inner.ReceivedOptions[^1]!.MaxOutputTokens, g.Inner.ReceivedOptions[^1]!.Reasoning!.Effort));
    }

    [Fact]
    public async Task A_period_budget_that_clamps_a_reasoning_model_lowers_its_effort_and_refuses_below_the_floor()
    {
        static Governed WithPeriod(long outputCeiling) => new(o =>
        {
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "daily", Period = BudgetPeriod.Daily, Limits = { MaximumOutputTokens = outputCeiling } });
        }, new FakeChatClient { ModelId = "o3" });

        Governed roomy = WithPeriod(3_000);
        await roomy.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10_000 });
        Assert.Equal((3_000, ReasoningEffort.Low), (roomy.Inner.ReceivedOptions[^1]!.MaxOutputTokens, roomy.Inner.ReceivedOptions[^1]!.Reasoning!.Effort));
        Assert.Equal(BudgetDecision.Clamped, roomy.Last.Decision);

        Governed tight = WithPeriod(800);
        await Assert.ThrowsAsync<BudgetExceededException>(() => tight.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 10_000 }));
        Assert.Equal(0, tight.Inner.Calls);
    }

    [Fact]
    public void A_floor_below_the_ordinary_clamp_minimum_or_an_undefined_effort_is_a_startup_error()
    {
        var options = new CostGovernanceOptions { MinimumClampedOutputTokens = 256, MinimumClampedReasoningOutputTokens = 128, ClampedReasoningEffort = (ReasoningEffort)42 };

        IReadOnlyList<string> problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("MinimumClampedReasoningOutputTokens: 128 is below MinimumClampedOutputTokens (256)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("ClampedReasoningEffort: '42'", StringComparison.Ordinal));
    }
}
