namespace AiCostGuard;

/// <summary>What happens to a model call that no <see cref="ModelPolicy"/> matches.</summary>
public enum PolicyDefault
{
    /// <summary>The call goes on to the budgets: policies only restrict the calls they match.</summary>
    Allow,

    /// <summary>The call is denied (<see cref="BudgetDecision.Denied"/>, policy <c>default</c>): every call needs a policy that matches it.</summary>
    Deny,
}
