using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>The span of a <see cref="BudgetScope"/> (a run), summing its cost, and the budget-remaining gauge of live scopes.</summary>
/// <remarks>
/// Only scopes begun while the gauge has a listener, and that have a cost ceiling, are tracked, so an unobserved
/// process keeps no registry. Run names are folded like other metric tags to bound cardinality.
/// </remarks>
internal sealed class RunTelemetry : IBudgetScopeObserver
{
    private static readonly RunTelemetry Instance = new();

    private static readonly ConcurrentDictionary<BudgetScope, byte> Live = new();
    private static readonly TagValueFolder Names = new(null, 100);

    internal static readonly ObservableGauge<double> Remaining = CostGovernanceTelemetry.Meter.CreateObservableGauge(
        CostGovernanceTelemetry.BudgetRemainingMetric, Observe, "{USD}", "Cost still available in each live budget scope with a cost ceiling.");

    /// <summary>Observes every budget scope from the moment the library loads, so no scope begins unseen.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "It only attaches an observer; nothing the host configures runs.")]
    internal static void Attach() => BudgetScope.Observer = Instance;

    public object? Began(BudgetScope scope)
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

    public void Ended(BudgetScope scope, object? state)
    {
        var run = state as Activity;
        Live.TryRemove(scope, out _);
        if (CostGovernanceTelemetry.RunCost.Enabled)
        {
            CostGovernanceTelemetry.RunCost.Record((double)scope.Spent.Cost, new KeyValuePair<string, object?>(CostGovernanceTelemetry.RunNameAttribute, Names.Fold(scope.Name)));
        }

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
