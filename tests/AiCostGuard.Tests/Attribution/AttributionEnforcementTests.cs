using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Attribution;

public sealed class AttributionEnforcementTests
{
    private const AttributionDimensions TeamAndFeature = AttributionDimensions.Team | AttributionDimensions.Feature;

    [Fact]
    public async Task A_call_missing_a_required_dimension_is_rejected_naming_it_and_is_not_sent()
    {
        var governed = new Governed(o => o.RequiredAttribution = TeamAndFeature);
        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            MissingAttributionException e = await Assert.ThrowsAsync<MissingAttributionException>(() => governed.Client.GetResponseAsync(Governed.Prompt()));
            Assert.Equal(AttributionDimensions.Feature, e.Missing);
            Assert.Contains("Feature", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, governed.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent, "missing attribution: Feature", "search"), (governed.Last.Decision, governed.Last.Outcome, governed.Last.RefusalReason, governed.Last.Attribution.Team));
    }

    [Fact]
    public async Task Lenient_mode_books_missing_dimensions_to_the_unattributed_bucket()
    {
        var governed = new Governed(o =>
        {
            o.RequiredAttribution = TeamAndFeature;
            o.UnattributedCalls = UnattributedCallPolicy.BookAsUnattributed;
        });

        using (CostAttribution.Begin(new CostAttribution { Team = "search" }))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        Assert.Equal("search", governed.Last.Attribution.Team);
        Assert.Equal(CostAttribution.Unattributed, governed.Last.Attribution.Feature);
    }

    [Fact]
    public async Task The_ledger_records_the_ambient_attribution()
    {
        var governed = new Governed();
        var attribution = new CostAttribution { Tenant = "acme", Team = "search", Feature = "summarize", User = "u-17", CostCenter = "cc-9", Environment = "prod" };
        using (CostAttribution.Begin(attribution))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        Assert.Equal(attribution, governed.Last.Attribution);
    }

    [Fact]
    public async Task A_per_call_attribution_overrides_the_ambient_one_for_that_call_only()
    {
        var governed = new Governed(o => o.RequiredAttribution = TeamAndFeature);
        using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "summarize" }))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt(), new CostAttribution { Feature = "translate" });
            Assert.Equal("translate", governed.Last.Attribution.Feature);
            Assert.Equal("search", governed.Last.Attribution.Team);

            await governed.Client.GetResponseAsync(Governed.Prompt());
            Assert.Equal("summarize", governed.Last.Attribution.Feature);
        }
    }

    [Fact]
    public async Task A_per_call_attribution_applies_to_a_streaming_call()
    {
        var governed = new Governed(o => o.RequiredAttribution = TeamAndFeature);
        await foreach (ChatResponseUpdate _ in governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new CostAttribution { Team = "chat", Feature = "stream" }))
        {
        }

        Assert.Equal("chat", governed.Last.Attribution.Team);
        Assert.Equal("stream", governed.Last.Attribution.Feature);
        Assert.Same(CostAttribution.Empty, CostAttribution.Current);
    }
}
