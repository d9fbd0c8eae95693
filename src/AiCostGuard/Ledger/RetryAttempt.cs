namespace AiCostGuard;

/// <summary>The attempt of a retried request that the current asynchronous flow is making, for the ledger.</summary>
internal static class RetryAttempt
{
    private static readonly AsyncLocal<int> AmbientSlot = new();

    /// <summary>Gets the attempt number, 1 for the first; 0 outside <see cref="BudgetAwareRetryChatClient"/>.</summary>
    public static int Current => AmbientSlot.Value;

    public static void Set(int attempt) => AmbientSlot.Value = attempt;
}
