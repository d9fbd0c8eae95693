using AiCostGuard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.SemanticKernel;

/// <summary>Adds AiCostGuard's cost governance filters to a Semantic Kernel.</summary>
public static class CostGovernanceKernelBuilderExtensions
{
    /// <summary>
    /// Registers the cost governance filters in the kernel's services, where the <see cref="Kernel"/> picks them up:
    /// <see cref="CostGovernanceAutoFunctionInvocationFilter"/> (step and tool caps of automatic function invocation),
    /// <see cref="CostGovernanceFunctionInvocationFilter"/> (per-function counts and cost) and
    /// <see cref="CostGovernancePromptRenderFilter"/> (a rendered prompt is priced and denied before any model call
    /// when its run cannot pay), plus the <see cref="KernelFunctionCallCounts"/> they fill.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    /// <remarks>
    /// <para>
    /// The filters govern tool calls and prompts; the model calls themselves are governed — admitted, charged and
    /// recorded in the ledger — by <c>UseCostGovernance()</c> on the <c>IChatClient</c> the kernel uses:
    /// <c>builder.Services.AddChatClient(inner).UseKernelFunctionInvocation().UseCostGovernance()</c>. A prompt function
    /// sends to a registered <c>IChatClient</c> as it is, so the tool loop (<c>UseKernelFunctionInvocation()</c>) must be
    /// in that pipeline, outside the governance: the governance then sees, and budgets, every model call of the loop.
    /// </para>
    /// <para>Budgets come from the ambient <see cref="BudgetScope"/>: begin one around the kernel call.</para>
    /// <para>Calling it again adds no filter twice (each tool call is counted once); the latest call's options apply.</para>
    /// </remarks>
    public static IKernelBuilder AddCostGovernance(this IKernelBuilder builder, Action<KernelCostGovernanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = new KernelCostGovernanceOptions();
        configure?.Invoke(configured);
        KernelCostGovernanceOptions options = KernelOptions.Checked(configured);

        // A second call must not add the filters again: each would run twice, counting every tool call twice. The
        // filters are registered once and read the options of the latest call.
        bool registered = builder.Services.Any(d => d.ServiceType == typeof(KernelGovernanceRegistration));
        builder.Services.Replace(ServiceDescriptor.Singleton(new KernelGovernanceRegistration(options)));
        if (registered)
        {
            return builder;
        }

        builder.Services.TryAddSingleton<KernelFunctionCallCounts>();
        builder.Services.AddSingleton<IFunctionInvocationFilter>(services => new CostGovernanceFunctionInvocationFilter(services.GetRequiredService<KernelFunctionCallCounts>()));
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(services => new CostGovernanceAutoFunctionInvocationFilter(Registered(services), services.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IPromptRenderFilter>(services => new CostGovernancePromptRenderFilter(Registered(services), services.GetService<TimeProvider>()));
        return builder;
    }

    private static KernelCostGovernanceOptions Registered(IServiceProvider services) => services.GetRequiredService<KernelGovernanceRegistration>().Options;
}
