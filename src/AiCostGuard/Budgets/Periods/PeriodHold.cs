namespace AiCostGuard;

/// <summary>What a call holds in the period budgets between admission and settlement.</summary>
internal sealed class PeriodHold(string id, string[] keys, BudgetWindow[] windows)
{
    public string Id { get; } = id;

    /// <summary>The call's keys, one per period budget.</summary>
    public string[] Keys { get; } = keys;

    /// <summary>The windows the call is charged to: every period budget's, reserved or (in shadow mode) not.</summary>
    public BudgetWindow[] Windows { get; } = windows;

    /// <summary>The first period budget or velocity rule that would have refused the call in shadow mode.</summary>
    public Exception? ShadowBreach { get; set; }
}
