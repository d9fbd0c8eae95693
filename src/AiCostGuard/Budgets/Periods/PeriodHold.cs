namespace AiCostGuard;

/// <summary>What a call holds in the period budgets between admission and settlement.</summary>
internal sealed class PeriodHold(string id, string[] keys, BudgetWindow[] windows)
{
    public string Id { get; } = id;

    /// <summary>The call's keys, one per period budget then one per velocity rule.</summary>
    public string[] Keys { get; } = keys;

    /// <summary>The windows the call is charged to: every period budget's, reserved or (in shadow mode) not.</summary>
    public BudgetWindow[] Windows { get; } = windows;

    /// <summary>The first period budget or velocity rule that would have refused the call in shadow mode.</summary>
    public Exception? ShadowBreach { get; set; }

    /// <summary>The output the period budgets could pay when they could not pay the call's: the call is sent clamped to it.</summary>
    public long? ClampedOutput { get; set; }

    /// <summary>The limit that made the clamp necessary.</summary>
    public BudgetLimitKind? ClampKind { get; set; }

    /// <summary>The window whose limit made the clamp necessary.</summary>
    public string? ClampBudget { get; set; }
}

/// <summary>What a call asks of the period budgets: its input and wanted output, how to price them, and whether it may be clamped.</summary>
internal readonly record struct PeriodDemand(long InputTokens, long OutputTokens, ModelPrice? Price, bool MayClamp, int MinimumClampedOutput)
{
    /// <summary>The worst case of the call with <paramref name="outputTokens"/> of output.</summary>
    public BudgetUsage WorstCase(long outputTokens) => new(InputTokens, outputTokens, Price?.GetWorstCaseCost(InputTokens, outputTokens) ?? 0m);
}
