namespace AiCostGuard;

/// <summary>Which ceiling a call would pass, its value, what was already used against it and what the call asked.</summary>
internal readonly record struct CeilingBreach(BudgetLimitKind? Kind, decimal Limit, decimal Used, decimal Requested)
{
    public bool IsBreached => Kind is not null;
}
