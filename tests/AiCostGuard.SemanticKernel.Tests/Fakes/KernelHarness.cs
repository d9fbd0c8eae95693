using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace AiCostGuard.SemanticKernel.Tests.Fakes;

/// <summary>A real kernel with the travel plugin, over the scripted model governed by <c>UseCostGovernance()</c>.</summary>
public sealed class KernelHarness
{
    public KernelHarness(ScriptedModel model, RunLimitAction action = RunLimitAction.Stop, Action<CostGovernanceOptions>? governance = null, bool preflight = true, int registrations = 1, RunLimitAction? earlierAction = null)
    {
        Model = model;
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Services.AddChatClient(model).UseKernelFunctionInvocation().UseCostGovernance(o =>
        {
            o.Ledger = Ledger;
            o.RunLimitAction = action;
            governance?.Invoke(o);
        });
        if (earlierAction is { } earlier)
        {
            builder.AddCostGovernance(o => o.RunLimitAction = earlier);
        }

        for (int i = 0; i < registrations; i++)
        {
            builder.AddCostGovernance(o =>
            {
                o.RunLimitAction = action;
                o.EnablePromptPreflight = preflight;
            });
        }
        builder.Plugins.AddFromObject(Plugin, "travel");
        Kernel = builder.Build();
    }

    public ScriptedModel Model { get; }

    public TravelPlugin Plugin { get; } = new();

    public InMemoryCostLedger Ledger { get; } = new();

    public Kernel Kernel { get; }

    public KernelFunctionCallCounts Counts => Kernel.Services.GetRequiredService<KernelFunctionCallCounts>();

    /// <summary>What the run ended with: the answer, or the result of the function the loop terminated on.</summary>
    public static string Outcome(FunctionResult result)
    {
        ChatMessage last = result.GetValue<ChatResponse>()!.Messages[^1];
        return last.Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().LastOrDefault()?.Result?.ToString() ?? last.Text;
    }

    public Task<FunctionResult> AskAsync(string prompt = "Plan a trip to Lisbon.", int? maxTokens = null)
    {
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        if (maxTokens is { } max)
        {
            settings.ExtensionData = new Dictionary<string, object> { ["max_tokens"] = max };
        }

        KernelFunction function = Kernel.CreateFunctionFromPrompt(prompt, settings, functionName: "plan_trip");
        return Kernel.InvokeAsync(function);
    }
}
