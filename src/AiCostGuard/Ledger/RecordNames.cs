namespace AiCostGuard;

/// <summary>
/// The names the library's enums go by wherever they leave the process as text — span attributes, metric tags, FOCUS
/// columns: snake_case, one per member, each distinct. The JSON Lines ledger keeps the members' own names (its
/// documented schema); this table is for everything else.
/// </summary>
/// <remarks>
/// Every table is a switch without a silent default: a member added to an enum and not named here throws the first
/// time it is reported, and the test that walks every member of every enum fails before that.
/// </remarks>
internal static class RecordNames
{
    public static string Name(CostSource source) => source switch
    {
        CostSource.ProviderReported => "provider_reported",
        CostSource.Estimated => "estimated",
        CostSource.Unpriced => "unpriced",
        _ => throw Undefined(source),
    };

    public static string Name(BudgetDecision decision) => decision switch
    {
        BudgetDecision.Allowed => "allowed",
        BudgetDecision.Clamped => "clamped",
        BudgetDecision.Rejected => "rejected",
        BudgetDecision.Cut => "cut",
        BudgetDecision.ShadowClamped => "shadow_clamped",
        BudgetDecision.ShadowRejected => "shadow_rejected",
        BudgetDecision.Degraded => "degraded",
        BudgetDecision.FinalTurn => "final_turn",
        BudgetDecision.ToolsDropped => "tools_dropped",
        BudgetDecision.Denied => "denied",
        BudgetDecision.ShadowDenied => "shadow_denied",
        BudgetDecision.ReasoningLowered => "reasoning_lowered",
        BudgetDecision.TierReached => "tier_reached",
        _ => throw Undefined(decision),
    };

    // A ceiling goes by the name its row of the ceilings table gives it; the run caps are named here.
    public static string Name(BudgetLimitKind kind) => Ceilings.TryGet(kind, out Ceiling ceiling) ? ceiling.Name : kind switch
    {
        BudgetLimitKind.ModelCalls => "model_calls",
        BudgetLimitKind.ToolCalls => "tool_calls",
        BudgetLimitKind.ParallelToolCalls => "parallel_tool_calls",
        BudgetLimitKind.ConcurrentModelCalls => "concurrent_model_calls",
        BudgetLimitKind.ChildScopes => "child_scopes",
        BudgetLimitKind.Duration => "duration",
        _ => throw Undefined(kind),
    };

    public static string Name(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Succeeded => "succeeded",
        CallOutcome.NotSent => "not_sent",
        CallOutcome.Failed => "failed",
        CallOutcome.Cancelled => "cancelled",
        _ => throw Undefined(outcome),
    };

    public static string Name(BudgetTierAction action) => action switch
    {
        BudgetTierAction.Notify => "notify",
        BudgetTierAction.LowerReasoningEffort => "lower_reasoning_effort",
        BudgetTierAction.Degrade => "degrade",
        BudgetTierAction.DropTools => "drop_tools",
        BudgetTierAction.Refuse => "refuse",
        _ => throw Undefined(action),
    };

    public static string Name(EstimatePrecision precision) => precision switch
    {
        EstimatePrecision.Exact => "exact",
        EstimatePrecision.Approximate => "approximate",
        EstimatePrecision.Bounded => "bounded",
        _ => throw Undefined(precision),
    };

    // The GenAI semantic conventions' operation names.
    public static string Name(CallKind kind) => kind switch
    {
        CallKind.Chat => "chat",
        CallKind.Embedding => "embeddings",
        _ => throw Undefined(kind),
    };

    // Spend velocity tags shipped with the members' own names; dashboards filter on them, so they stay.
    public static string Name(SpendVelocityWindow window) => window switch
    {
        SpendVelocityWindow.Second => "Second",
        SpendVelocityWindow.Minute => "Minute",
        SpendVelocityWindow.Hour => "Hour",
        _ => throw Undefined(window),
    };

    public static string Name(SpendVelocityAction action) => action switch
    {
        SpendVelocityAction.Alert => "Alert",
        SpendVelocityAction.Throttle => "Throttle",
        SpendVelocityAction.Block => "Block",
        _ => throw Undefined(action),
    };

    private static ArgumentOutOfRangeException Undefined<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        new(nameof(value), value, $"{typeof(TEnum).Name} has no name for this value: add it to {nameof(RecordNames)}.");
}
