using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiCostGuard;

/// <summary>The span of a <see cref="BudgetScope"/> (a run), summing its cost, and the budget-remaining gauge of live scopes.</summary>
/// <remarks>
/// Only scopes begun while the gauge has a listener, and that have a cost ceiling, are tracked, so an unobserved
/// process keeps no registry. Run names are folded like other metric tags to bound cardinality.
/// </remarks>
internal static class RunTelemetry
{
    private static readonly ConcurrentDictionary<BudgetScope, byte> Live = new();
    private static readonly TagValueFolder Names = new(null, 100);

    internal static readonly ObservableGauge<double> Remaining = CostGovernanceTelemetry.Meter.CreateObservableGauge(
        CostGovernanceTelemetry.BudgetRemainingMetric, Observe, "{USD}", "Cost still available in each live budget scope with a cost ceiling.");

    public static Activity? Start(BudgetScope scope)
    {
        if (Remaining.Enabled && scope.Limits.MaximumCost is not null)
        {
            Live.TryAdd(scope, 0);
        }

        if (!CostGovernanceTelemetry.Source.HasListeners())
        {
            return null;
        }

        Activity? run = CostGovernanceTelemetry.Source.StartActivity(CostGovernanceTelemetry.RunSpanName + " " + scope.Name, ActivityKind.Internal);
        if (run is { IsAllDataRequested: true })
        {
            run.SetTag(CostGovernanceTelemetry.RunIdAttribute, scope.Id);
            run.SetTag(CostGovernanceTelemetry.RunNameAttribute, scope.Name);
            if (scope.Limits.MaximumCost is { } limit)
            {
                run.SetTag(CostGovernanceTelemetry.BudgetLimitAttribute, (double)limit);
            }
        }

        return run;
    }

    public static void Stop(BudgetScope scope, Activity? run)
    {
        Live.TryRemove(scope, out _);
        if (run is null)
        {
            return;
        }

        if (run.IsAllDataRequested)
        {
            BudgetUsage spent = scope.Spent;
            run.SetTag(CostGovernanceTelemetry.CostAmountAttribute, (double)spent.Cost);
            run.SetTag(CostGovernanceTelemetry.CostCurrencyAttribute, "USD");
            run.SetTag("gen_ai.usage.input_tokens", spent.InputTokens);
            run.SetTag("gen_ai.usage.output_tokens", spent.OutputTokens);
            run.SetTag("aicostguard.run.calls", scope.ModelCallCount);
            run.SetTag("aicostguard.run.tool_calls", scope.ToolCallCount);
            if (scope.RemainingCost is { } remaining)
            {
                run.SetTag(CostGovernanceTelemetry.BudgetRemainingAttribute, (double)remaining);
            }
        }

        run.Stop();
    }

    private static IEnumerable<Measurement<double>> Observe()
    {
        foreach (BudgetScope scope in Live.Keys)
        {
            if (scope.RemainingCost is { } remaining)
            {
                yield return new Measurement<double>((double)remaining, new KeyValuePair<string, object?>(CostGovernanceTelemetry.RunNameAttribute, Names.Fold(scope.Name)));
            }
        }
    }
}
