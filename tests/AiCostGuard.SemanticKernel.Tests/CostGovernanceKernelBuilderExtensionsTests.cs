using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AiCostGuard.SemanticKernel.Tests.Fakes;
using Microsoft.SemanticKernel;

namespace AiCostGuard.SemanticKernel.Tests;

public sealed class CostGovernanceKernelBuilderExtensionsTests
{
    [Fact]
    public void The_kernel_picks_up_all_three_filters()
    {
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.AddCostGovernance();
        Kernel kernel = builder.Build();

        Assert.IsType<CostGovernanceAutoFunctionInvocationFilter>(Assert.Single(kernel.AutoFunctionInvocationFilters));
        Assert.IsType<CostGovernanceFunctionInvocationFilter>(Assert.Single(kernel.FunctionInvocationFilters));
        Assert.IsType<CostGovernancePromptRenderFilter>(Assert.Single(kernel.PromptRenderFilters));
        Assert.NotNull(kernel.Services.GetService<KernelFunctionCallCounts>());
    }

    [Fact]
    public async Task Registering_twice_adds_each_filter_once_and_counts_each_tool_call_once()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"], ["get_weather", "find_flights"]] }, registrations: 2);

        // Three tool calls fit a cap of three only when each is counted once.
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 3 }, "trip");
        await harness.AskAsync();

        Assert.Single(harness.Kernel.AutoFunctionInvocationFilters);
        Assert.Single(harness.Kernel.FunctionInvocationFilters);
        Assert.Single(harness.Kernel.PromptRenderFilters);
        Assert.Equal((3L, 0L), (run.ToolCallCount, run.RefusedToolCallCount));
        Assert.Equal(2, harness.Counts.GetCount("travel.get_weather"));
    }

    [Fact]
    public async Task The_latest_registrations_options_apply()
    {
        var harness = new KernelHarness(new ScriptedModel { Steps = [["get_weather"], ["find_flights"], ["get_weather"]] }, RunLimitAction.Stop, earlierAction: RunLimitAction.SoftStop);
        using BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumToolCalls = 1 }, "trip");

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => harness.AskAsync());

        Assert.Equal(BudgetLimitKind.ToolCalls, e.LimitKind);
        Assert.Single(harness.Kernel.AutoFunctionInvocationFilters);
    }

    [Fact]
    public void Invalid_options_are_rejected_when_the_kernel_is_configured()
    {
        IKernelBuilder builder = Kernel.CreateBuilder();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => builder.AddCostGovernance(o => o.RunLimitAction = (RunLimitAction)42));

        Assert.Contains("RunLimitAction", Assert.Single(e.Failures), StringComparison.Ordinal);
    }
}
