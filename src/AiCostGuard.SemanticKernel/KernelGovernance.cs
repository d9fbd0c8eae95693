using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiCostGuard;

/// <summary>Finds the governance a kernel's model calls go through, and records the filters' refusals.</summary>
internal static class KernelGovernance
{
    /// <summary>The <see cref="CostGovernanceChatClient"/> behind the kernel's chat service, or <see langword="null"/>.</summary>
    public static CostGovernanceChatClient? Find(Kernel kernel)
    {
        IServiceProvider services = kernel.Services;
        if (services.GetService<IChatClient>() is { } client && client.GetService<CostGovernanceChatClient>() is { } governed)
        {
            return governed;
        }

        return services.GetService<IChatCompletionService>()?.AsChatClient().GetService<CostGovernanceChatClient>();
    }

    public static ICostLedger? Ledger(KernelCostGovernanceOptions options, Kernel kernel, CostGovernanceChatClient? governance) =>
        options.Ledger ?? governance?.Ledger ?? kernel.Services.GetService<ICostLedger>();

    public static void RecordRefusal(ICostLedger? ledger, CostGovernanceChatClient? governance, TimeProvider time, string? modelId, bool streaming, string reason, BudgetLimitKind kind, string budget, long estimatedInput = 0)
    {
        if (governance is not null && (ledger is null || ReferenceEquals(ledger, governance.Ledger)))
        {
            governance.RecordRefusal(CostAttribution.Current, modelId, streaming, reason, kind, budget, estimatedInput);
        }
        else
        {
            ledger?.Record(CostRecord.Refusal(time.GetUtcNow(), CostAttribution.Current, modelId, provider: null, streaming, reason, kind, budget, estimatedInput));
        }
    }
}
