namespace AiCostGuard;

/// <summary>Whether a tool call may run; when refused, the cap that refused it.</summary>
internal readonly record struct ToolCallVerdict(BudgetLimitKind? Kind, long Limit, long Used, string? Budget)
{
    public bool IsRefused => Kind is not null;
}
