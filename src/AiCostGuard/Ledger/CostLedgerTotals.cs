namespace AiCostGuard;

/// <summary>
/// What every ledger sink of the process dropped or failed to write, in all: the ledger publishes its health here and
/// telemetry observes it, so the ledger depends on no telemetry type.
/// </summary>
internal static class CostLedgerTotals
{
    private static long s_dropped;
    private static long s_writeFailures;

    public static long Dropped => Interlocked.Read(ref s_dropped);

    public static long WriteFailures => Interlocked.Read(ref s_writeFailures);

    public static void AddDropped(int count) => Interlocked.Add(ref s_dropped, count);

    public static void AddWriteFailure() => Interlocked.Increment(ref s_writeFailures);
}
