namespace AiCostGuard;

/// <summary>Marks a kernel's services as governed, with the checked options of the latest <c>AddCostGovernance()</c> call.</summary>
/// <param name="Options">The options the filters use.</param>
internal sealed record KernelGovernanceRegistration(KernelCostGovernanceOptions Options);
