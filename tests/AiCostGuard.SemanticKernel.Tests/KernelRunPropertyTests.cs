using AiCostGuard.SemanticKernel.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.SemanticKernel.Tests;

/// <summary>
/// Random tool scripts against random run limits, on a real kernel running auto function invocation: whatever the model
/// asks for and whatever the policy, the run never passes a hard cap or ceiling, and nothing stays reserved.
/// </summary>
public sealed class KernelRunPropertyTests
{
    private static readonly string[] Tools = ["get_weather", "find_flights"];

    private sealed record Case(string[][] Steps, int ModelCalls, int ToolCalls, int ParallelToolCalls, decimal Cost, RunLimitAction Action);

    private static readonly Gen<Case> Cases =
        from steps in Gen.Elements(Tools).ArrayOf().Select(s => s.Take(3).ToArray()).ArrayOf().Select(s => s.Take(6).ToArray())
        from modelCalls in Gen.Choose(1, 6)
        from toolCalls in Gen.Choose(1, 6)
        from parallel in Gen.Choose(1, 3)
        from costMicros in Gen.Choose(5, 3_000)
        from action in Gen.Elements(RunLimitAction.Stop, RunLimitAction.SoftStop, RunLimitAction.DropTools)
        select new Case(steps, modelCalls, toolCalls, parallel, costMicros / 1_000_000m, action);

    [Property(MaxTest = 60)]
    public Property A_kernel_run_never_passes_its_caps_or_ceiling_and_leaves_nothing_reserved() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            // The model reports no more than was reserved for it, so the cost ceiling is exact.
            var harness = new KernelHarness(new ScriptedModel { Steps = c.Steps, InputTokens = 1, OutputTokens = 1 }, c.Action);
            var limits = new BudgetLimits { MaximumModelCalls = c.ModelCalls, MaximumToolCalls = c.ToolCalls, MaximumParallelToolCalls = c.ParallelToolCalls, MaximumCost = c.Cost };
            using BudgetScope workflow = BudgetScope.Begin(new BudgetLimits(), "workflow");
            using BudgetScope run = BudgetScope.Begin(limits, "trip");
            try
            {
                harness.AskAsync().GetAwaiter().GetResult();
            }
            catch (BudgetExceededException)
            {
                // Stop ends the run with an exception; the invariants hold all the same.
            }

            int toolsRun = harness.Plugin.WeatherRuns + harness.Plugin.FlightRuns;
            return (harness.Model.Calls <= c.ModelCalls).Label($"model calls {harness.Model.Calls} > {c.ModelCalls}")
                .And((toolsRun <= c.ToolCalls).Label($"tools run {toolsRun} > {c.ToolCalls}"))
                .And((run.ToolCallCount == toolsRun).Label($"tool calls counted {run.ToolCallCount}, run {toolsRun}"))
                .And((run.Spent.Cost <= c.Cost).Label($"spent {run.Spent.Cost} > {c.Cost}"))
                .And((run.Reserved == default).Label($"still reserved {run.Reserved}"))
                .And((workflow.Spent == run.Spent).Label($"the parent saw {workflow.Spent}, the run spent {run.Spent}"))
                .And((harness.Ledger.GetRecords().Sum(r => r.Cost) == run.Spent.Cost).Label("the ledger and the run disagree"));
        });
}
