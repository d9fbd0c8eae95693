using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Quotes;

public sealed class CostQuoteTests
{
    private static readonly ModelPrice Gpt4o = PriceCatalog.Default.Models["gpt-4o"];

    private static CostGovernanceChatClient Governor(Action<CostGovernanceOptions>? configure = null) =>
        new Governed(configure, new FakeChatClient { ModelId = "gpt-4o" }).Client.GetService<CostGovernanceChatClient>()!;

    [Fact]
    public void A_quote_prices_the_worst_case_without_sending_or_reserving()
    {
        List<ChatMessage> prompt = Governed.Prompt();
        long input = TokenEstimator.EstimateInputTokens(prompt, "gpt-4o").Tokens;
        var governed = new Governed(inner: new FakeChatClient { ModelId = "gpt-4o" });
        CostGovernanceChatClient governor = governed.Client.GetService<CostGovernanceChatClient>()!;
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m });

        CostQuote quote = governor.Quote(prompt, new ChatOptions { MaxOutputTokens = 800 });

        Assert.Equal(("gpt-4o", input, EstimatePrecision.Exact, 800L), (quote.ModelId, quote.InputTokens, quote.Precision, quote.MaximumOutputTokens));
        Assert.Equal(Gpt4o.GetWorstCaseCost(input, 800), quote.WorstCaseCost);
        Assert.Equal(BudgetDecision.Allowed, quote.Decision);
        Assert.Equal(0, governed.Inner.Calls);
        Assert.Equal(default, run.Reserved);
        Assert.Empty(governed.Ledger.GetRecords());
    }

    [Fact]
    public void A_quote_says_what_the_budget_would_decide()
    {
        CostGovernanceChatClient governor = Governor(o =>
        {
            o.RequestLimits.MaximumOutputTokens = 100;
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });

        CostQuote quote = governor.Quote(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 800 });

        Assert.Equal((BudgetDecision.Clamped, BudgetLimitKind.OutputTokens, 100L), (quote.Decision, quote.LimitKind, quote.AllowedOutputTokens));
    }

    [Fact]
    public void A_run_quote_adds_each_steps_worst_case_as_the_history_grows()
    {
        CostQuote quote = Governor().Quote(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });

        RunQuote run = quote.ForRun(3, inputGrowthPerStep: 700);

        decimal expected = Gpt4o.GetWorstCaseCost(quote.InputTokens, 500) + Gpt4o.GetWorstCaseCost(quote.InputTokens + 700, 500) + Gpt4o.GetWorstCaseCost(quote.InputTokens + 1400, 500);
        Assert.Equal((3, expected, false), (run.ModelCalls, run.WorstCaseCost, run.IsBoundedByCeiling));
        Assert.Equal(quote.WorstCaseCost, run.PerCallWorstCase);
    }

    [Fact]
    public void A_run_quote_is_bounded_by_the_runs_step_cap_and_cost_ceiling()
    {
        CostQuote quote = Governor().Quote(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 500 });

        Assert.Equal(2, quote.ForRun(10, new BudgetLimits { MaximumModelCalls = 2 }).ModelCalls);
        RunQuote bounded = quote.ForRun(10, new BudgetLimits { MaximumCost = 0.01m });
        Assert.Equal((0.01m, true), (bounded.WorstCaseCost, bounded.IsBoundedByCeiling));
        Assert.Throws<ArgumentOutOfRangeException>(() => quote.ForRun(0));
    }

    [Fact]
    public void An_unpriced_model_gets_a_quote_without_a_cost()
    {
        CostGovernanceChatClient governor = Governor(o => o.UnknownModels = UnknownModelPolicy.AllowUnpriced);
        CostQuote quote = governor.Quote(Governed.Prompt(), new ChatOptions { ModelId = "my-finetune", MaxOutputTokens = 10 });
        Assert.Null(quote.WorstCaseCost);
        Assert.Null(quote.ForRun(3).WorstCaseCost);
    }
}
