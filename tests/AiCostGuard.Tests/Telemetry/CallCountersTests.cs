using FsCheck;
using FsCheck.Fluent;

namespace AiCostGuard.Tests.Telemetry;

/// <summary>The process-wide totals behind the cost and decision counters: bounded, and never losing a call.</summary>
public sealed class CallCountersTests
{
    [Fact]
    public void Series_beyond_the_bound_are_booked_under_other_and_keep_their_cost()
    {
        var counters = new CallCounters(maximumSeries: 3);
        for (int i = 0; i < 10; i++)
        {
            counters.Cost(Series("model-" + i, "team-" + i), CostSource.ProviderReported).Add(0.5);
            counters.Decision(Series("model-" + i, "team-" + i), BudgetDecision.Allowed, kind: null).Increment();
        }

        List<System.Diagnostics.Metrics.Measurement<double>> costs = [.. counters.ObserveCosts()];
        Assert.Equal(4, costs.Count);
        Assert.Equal(5.0, costs.Sum(m => m.Value));
        var other = Assert.Single(costs, m => Tag(m.Tags, CostGovernanceTelemetry.TeamTag) == CostGovernanceTelemetry.OtherValue);
        Assert.Equal(3.5, other.Value);
        Assert.Equal(CostGovernanceTelemetry.OtherValue, Tag(other.Tags, "gen_ai.request.model"));
        Assert.Equal("provider_reported", Tag(other.Tags, CostGovernanceTelemetry.UsageSourceAttribute));

        List<System.Diagnostics.Metrics.Measurement<long>> decisions = [.. counters.ObserveDecisions()];
        Assert.Equal(4, decisions.Count);
        Assert.Equal(10, decisions.Sum(m => m.Value));
        Assert.Equal(7, Assert.Single(decisions, m => Tag(m.Tags, CostGovernanceTelemetry.TeamTag) == CostGovernanceTelemetry.OtherValue).Value);
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Every_cost_added_is_in_exactly_one_total_and_no_counter_holds_more_than_its_bound_plus_other(int seed)
    {
        var random = new Random(seed);
        int bound = random.Next(1, 6);
        var counters = new CallCounters(bound);
        decimal added = 0;
        int calls = random.Next(0, 60);
        for (int i = 0; i < calls; i++)
        {
            decimal cost = random.Next(0, 1_000_000) / 1_000_000_000m;
            added += cost;
            CostSource usage = random.Next(2) == 0 ? CostSource.ProviderReported : CostSource.Estimated;
            counters.Cost(Series("m" + random.Next(4), "t" + random.Next(8)), usage).Add((double)cost);
        }

        List<System.Diagnostics.Metrics.Measurement<double>> costs = [.. counters.ObserveCosts()];
        double booked = costs.Sum(m => m.Value);
        bool distinct = costs.Select(m => string.Join(",", m.Tags.ToArray().Select(t => t.Value))).Distinct().Count() == costs.Count;
        return (Math.Abs(booked - (double)added) < 1e-12 && costs.Count <= bound + 2 && distinct)
            .Label($"bound {bound}, {calls} calls: booked {booked} of {added} in {costs.Count} totals");
    }

    private static MetricSeries.Folded Series(string model, string team) => new(model, null, model, team, "feature");

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
