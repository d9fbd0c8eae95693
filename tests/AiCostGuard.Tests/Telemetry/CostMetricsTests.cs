using AiCostGuard.Tests.Fakes;

namespace AiCostGuard.Tests.Telemetry;

public sealed class CostMetricsTests
{
    [Fact]
    public async Task Cost_decisions_and_estimate_error_are_measured_by_team_and_feature()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed(o =>
        {
            o.RequestLimits.MaximumOutputTokens = 100;
            o.OverBudgetAction = OverBudgetAction.Clamp;
        });
        using (CostAttribution.Begin(new CostAttribution { Team = "metrics-team-a", Feature = "metrics-feature" }))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 50 });
            await governed.Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 1000 });
        }

        decimal cost = governed.Ledger.GetRecords().Sum(r => r.Cost);
        Assert.Equal((double)cost, telemetry.Sum(CostGovernanceTelemetry.CostMetric, (CostGovernanceTelemetry.TeamTag, "metrics-team-a"), (CostGovernanceTelemetry.FeatureTag, "metrics-feature"), ("gen_ai.request.model", "gpt-4o-mini")), 12);
        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "metrics-team-a"), (CostGovernanceTelemetry.DecisionAttribute, "allowed")));
        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "metrics-team-a"), (CostGovernanceTelemetry.DecisionAttribute, "clamped"), (CostGovernanceTelemetry.LimitKindAttribute, "output_tokens")));
        Assert.True(telemetry.Sum(CostGovernanceTelemetry.EstimateErrorMetric, ("gen_ai.request.model", "gpt-4o-mini")) >= 2);
    }

    [Fact]
    public async Task The_cost_counter_is_exact_over_concurrent_calls_of_two_clients_on_one_series()
    {
        // Both clients add to one process-wide total per series; every call's cost must be in it, none twice.
        using var telemetry = new TelemetryHarness();
        var first = new Governed();
        var second = new Governed();
        using (CostAttribution.Begin(new CostAttribution { Team = "concurrent-team", Feature = "concurrent-feature" }))
        {
            await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                await (i % 2 == 0 ? first : second).Client.GetResponseAsync(Governed.Prompt(), cancellationToken: ct));
        }

        decimal cost = first.Ledger.GetRecords().Sum(r => r.Cost) + second.Ledger.GetRecords().Sum(r => r.Cost);
        Assert.Equal(400, first.Ledger.GetRecords().Count + second.Ledger.GetRecords().Count);
        Assert.Equal((double)cost, telemetry.Sum(CostGovernanceTelemetry.CostMetric, (CostGovernanceTelemetry.TeamTag, "concurrent-team"), (CostGovernanceTelemetry.FeatureTag, "concurrent-feature")), 9);
        Assert.Equal(400, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "concurrent-team"), (CostGovernanceTelemetry.DecisionAttribute, "allowed")));
        Assert.Single(telemetry.Metrics().Where(m => m.Name == CostGovernanceTelemetry.CostMetric).SelectMany(Points), p => p.Contains("concurrent-team", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Points(OpenTelemetry.Metrics.Metric metric)
    {
        var points = new List<string>();
        foreach (ref readonly OpenTelemetry.Metrics.MetricPoint point in metric.GetMetricPoints())
        {
            var tags = new List<string>();
            foreach (KeyValuePair<string, object?> tag in point.Tags)
            {
                tags.Add(tag.Key + "=" + tag.Value);
            }

            points.Add(string.Join(",", tags));
        }

        return points;
    }

    [Fact]
    public async Task Team_values_beyond_the_distinct_limit_or_outside_the_allow_list_fold_into_other()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed(o =>
        {
            o.Telemetry.MaximumDistinctTagValues = 2;
            o.Telemetry.MetricFeatures.Add("fold-allowed");
        });
        foreach (string team in new[] { "fold-t1", "fold-t2", "fold-t3", "fold-t4" })
        {
            using (CostAttribution.Begin(new CostAttribution { Team = team, Feature = team == "fold-t1" ? "fold-allowed" : "fold-free-text" }))
            {
                await governed.Client.GetResponseAsync(Governed.Prompt());
            }
        }

        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "fold-t1"), (CostGovernanceTelemetry.FeatureTag, "fold-allowed")));
        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "fold-t2"), (CostGovernanceTelemetry.FeatureTag, CostGovernanceTelemetry.OtherValue)));
        Assert.Equal(0, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, "fold-t3")));
        Assert.Equal(2, telemetry.Sum(CostGovernanceTelemetry.DecisionsMetric, (CostGovernanceTelemetry.TeamTag, CostGovernanceTelemetry.OtherValue), (CostGovernanceTelemetry.FeatureTag, CostGovernanceTelemetry.OtherValue)));
    }

    [Fact]
    public async Task The_remaining_budget_of_a_live_scope_is_an_observable_gauge()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed();
        using (BudgetScope.Begin(new BudgetLimits { MaximumCost = 0.5m }, "gauge-run-1"))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
            double remaining = telemetry.Sum(CostGovernanceTelemetry.BudgetRemainingMetric, (CostGovernanceTelemetry.RunNameAttribute, "gauge-run-1"));
            Assert.Equal((double)(0.5m - governed.Last.Cost), remaining, 12);
        }
    }

    [Fact]
    public async Task Each_call_and_each_run_cost_is_a_histogram_with_buckets_fine_below_a_cent()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed();
        BudgetUsage spent;
        using (CostAttribution.Begin(new CostAttribution { Team = "histogram-team", Feature = "histogram-feature" }))
        using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "histogram-run-1"))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
            await governed.Client.GetResponseAsync(Governed.Prompt());
            spent = run.Spent;
        }

        decimal[] costs = [.. governed.Ledger.GetRecords().Select(r => r.Cost)];
        Assert.All(costs, c => Assert.InRange(c, 0.000001m, 0.01m));

        var call = Assert.Single(telemetry.Histogram(CostGovernanceTelemetry.CallCostMetric, (CostGovernanceTelemetry.TeamTag, "histogram-team"), ("gen_ai.request.model", "gpt-4o-mini")));
        Assert.Equal(2, call.Count);
        Assert.Equal((double)costs.Sum(), call.Sum, 12);
        Assert.Equal([.. CostGovernanceTelemetry.CostBuckets, double.PositiveInfinity], call.Buckets.Select(b => b.Bound));

        // Sub-cent calls land in a bucket of their own size, not in the first of the SDK's default boundaries (0, 5, 10, ...).
        double bound = call.Buckets.First(b => b.Count > 0).Bound;
        Assert.Equal(CostGovernanceTelemetry.CostBuckets.First(b => b >= (double)costs.Min()), bound);
        Assert.True(bound <= 0.01);

        var runCost = Assert.Single(telemetry.Histogram(CostGovernanceTelemetry.RunCostMetric, (CostGovernanceTelemetry.RunNameAttribute, "histogram-run-1")));
        Assert.Equal(1, runCost.Count);
        Assert.Equal((double)spent.Cost, runCost.Sum, 12);
    }
}
