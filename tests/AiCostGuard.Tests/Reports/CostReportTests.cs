using System.Globalization;

namespace AiCostGuard.Tests.Reports;

public sealed class CostReportTests
{
    private static readonly DateTimeOffset Monday = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    private static CostRecord Call(string team, string feature, string model, string run, decimal cost, int day = 0, CallOutcome outcome = CallOutcome.Succeeded) => new()
    {
        Timestamp = Monday.AddDays(day),
        Attribution = new CostAttribution { Team = team, Feature = feature },
        ModelId = model,
        ScopeId = run,
        InputTokens = 100,
        OutputTokens = 10,
        Cost = cost,
        Outcome = outcome,
    };

    [Fact]
    public void Cost_per_run_and_per_successful_outcome_by_team()
    {
        CostRecord[] calls =
        [
            Call("support", "triage", "gpt-4o", "r1", 0.30m), Call("support", "triage", "gpt-4o-mini", "r1", 0.10m),
            Call("support", "triage", "gpt-4o", "r2", 0.20m), Call("support", "triage", "gpt-4o", "r3", 0.20m),
            Call("search", "rerank", "gpt-4o-mini", "r4", 0.05m),
            Call("search", "rerank", "gpt-4o", "r4", 9m, outcome: CallOutcome.NotSent),
        ];
        OutcomeRecord[] outcomes =
        [
            new() { ScopeId = "r1", Name = "ticket-resolved", IsSuccess = true, Value = 10m },
            new() { ScopeId = "r2", Name = "ticket-resolved", IsSuccess = false },
            new() { ScopeId = "r3", Name = "ticket-resolved", IsSuccess = true, Value = 10m },
        ];

        CostReport report = CostReport.Create(calls, outcomes, ReportDimensions.Team);
        CostReportRow support = Assert.Single(report.Rows, r => r.Key[0] == "support");
        Assert.Equal(0.80m, support.Cost);
        Assert.Equal(3, support.Runs);
        Assert.Equal(0.266667m, support.CostPerRun);
        Assert.Equal(2, support.Successes);
        Assert.Equal(0.40m, support.CostPerSuccess);
        Assert.Equal(20m, support.OutcomeValue);
        CostReportRow search = Assert.Single(report.Rows, r => r.Key[0] == "search");
        Assert.Equal(1, search.Calls);
        Assert.Null(search.CostPerSuccess);
        Assert.Equal(0.85m, report.Total.Cost);
        Assert.Equal(["team"], report.Columns);
    }

    [Fact]
    public void Groups_by_feature_model_and_day_in_key_order()
    {
        CostRecord[] calls = [Call("a", "f", "m2", "r", 1m, day: 1), Call("a", "f", "m1", "r", 2m, day: 0), Call("a", "f", "m1", "r", 3m, day: 0)];
        CostReport report = CostReport.Create(calls, [], ReportDimensions.Feature | ReportDimensions.Model | ReportDimensions.Day);
        Assert.Equal(["feature", "model", "day"], report.Columns);
        Assert.Equal(
            ["f|m1|2026-07-20|5", "f|m2|2026-07-21|1"],
            report.Rows.Select(r => string.Join('|', r.Key) + "|" + r.Cost.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Calls_a_response_cache_answered_count_at_zero_and_their_avoided_cost_is_the_group_s_cache_savings()
    {
        CostRecord[] calls =
        [
            Call("support", "triage", "gpt-4o", "r1", 0.30m),
            Call("support", "triage", "gpt-4o", "r1", 0m) with { InputTokens = 0, OutputTokens = 0, AvoidedCost = 0.30m },
            Call("search", "rerank", "gpt-4o", "r2", 0m) with { InputTokens = 0, OutputTokens = 0, AvoidedCost = 0.05m },
        ];

        CostReport report = CostReport.Create(calls, [], ReportDimensions.Team);

        CostReportRow support = Assert.Single(report.Rows, r => r.Key[0] == "support");
        Assert.Equal((2L, 0.30m, 0.30m), (support.Calls, support.Cost, support.CacheSavings));
        Assert.Equal((0.30m, 0.35m), (report.Total.Cost, report.Total.CacheSavings));
    }
}
