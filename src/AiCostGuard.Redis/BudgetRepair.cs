namespace AiCostGuard.Redis;

/// <summary>What <see cref="RedisBudgetReconciler.RepairAsync"/> did with one budget window.</summary>
public enum BudgetRepair
{
    /// <summary>Nothing: Redis and the ledger agree, or the window was only compared.</summary>
    None,

    /// <summary>Redis's committed totals were set to the ledger's.</summary>
    Repaired,

    /// <summary>Redis already held the ledger's totals when the repair came: another process repaired it first.</summary>
    AlreadyRepaired,

    /// <summary>A commit reached Redis between the comparison and the repair, so nothing was overwritten; reconcile again.</summary>
    ChangedMeanwhile,
}
