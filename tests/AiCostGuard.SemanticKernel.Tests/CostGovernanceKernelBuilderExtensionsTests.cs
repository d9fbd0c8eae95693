using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
    public void Invalid_options_are_rejected_when_the_kernel_is_configured()
    {
        IKernelBuilder builder = Kernel.CreateBuilder();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => builder.AddCostGovernance(o => o.RunLimitAction = (RunLimitAction)42));

        Assert.Contains("RunLimitAction", Assert.Single(e.Failures), StringComparison.Ordinal);
    }
}
