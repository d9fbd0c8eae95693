using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace AiCostGuard;

/// <summary>Helpers the filters share: option checks and function names.</summary>
internal static class KernelOptions
{
    public static KernelCostGovernanceOptions Checked(KernelCostGovernanceOptions? options)
    {
        KernelCostGovernanceOptions copy = options?.Clone() ?? new KernelCostGovernanceOptions();
        IReadOnlyList<string> problems = copy.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(CostGovernanceOptions.SectionName, typeof(KernelCostGovernanceOptions), problems);
        }

        return copy;
    }

    /// <summary>The name a function is booked under: <c>Plugin.Function</c>, or the function's own name outside a plugin.</summary>
    public static string NameOf(KernelFunction function) =>
        string.IsNullOrEmpty(function.PluginName) ? function.Name : function.PluginName + "." + function.Name;
}
