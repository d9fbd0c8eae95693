namespace AiCostGuard;

/// <summary>
/// Configures the Semantic Kernel filters added by <c>AddCostGovernance()</c> on an <c>IKernelBuilder</c>.
/// </summary>
/// <remarks>
/// The filters govern what happens between model calls — tool calls, and prompts before they are sent. The model calls
/// themselves are governed by <c>UseCostGovernance()</c> on the <c>IChatClient</c> the kernel uses; set the same
/// <see cref="RunLimitAction"/> on both. The filters keep a copy of these options, taken when they are built.
/// </remarks>
public sealed class KernelCostGovernanceOptions
{
    /// <summary>The attribution tag that names the kernel function a model call was made in.</summary>
    public const string FunctionTag = "function";

    /// <summary>Gets or sets how a run ends when an automatically invoked function would pass a cap of its <see cref="BudgetScope"/>.</summary>
    /// <value>The default value is <see cref="AiCostGuard.RunLimitAction.Stop"/>.</value>
    /// <remarks>
    /// <see cref="AiCostGuard.RunLimitAction.Stop"/> throws <see cref="BudgetExceededException"/> out of the kernel call;
    /// the others end the loop (<c>Terminate</c>) with a result that says which cap was reached.
    /// </remarks>
    public RunLimitAction RunLimitAction { get; set; } = RunLimitAction.Stop;

    /// <summary>Gets or sets whether a rendered prompt is priced before it is sent and denied when its run cannot pay for it.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EnablePromptPreflight { get; set; } = true;

    /// <summary>Gets or sets the ledger refusals are recorded in.</summary>
    /// <value>The default, <see langword="null"/>, uses the ledger of the governed <c>IChatClient</c> the kernel uses, else the registered <see cref="ICostLedger"/>.</value>
    public ICostLedger? Ledger { get; set; }

    /// <summary>Lists every problem with these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(RunLimitAction))
        {
            problems.Add($"{nameof(RunLimitAction)}: '{RunLimitAction}' is not one of {string.Join(", ", Enum.GetNames<RunLimitAction>())}.");
        }

        return problems;
    }

    internal KernelCostGovernanceOptions Clone() => (KernelCostGovernanceOptions)MemberwiseClone();
}
