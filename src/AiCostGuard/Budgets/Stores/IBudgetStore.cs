namespace AiCostGuard;

/// <summary>
/// Where period budgets keep their spend: reserve a call's worst case against a window's ceiling, then commit its
/// actual usage (the rest of the reservation is refunded). <see cref="InMemoryBudgetStore"/> is the default; a shared
/// store (such as the Redis store of <c>AiCostGuard.Redis</c>) makes one budget hold across many processes.
/// </summary>
/// <remarks>
/// <para>
/// Every operation is keyed by a <see cref="BudgetWindow"/> and a reservation id unique to the call. Commit is
/// idempotent by that id — a retried commit is counted once — and is applied even when the reservation is unknown
/// (expired, reclaimed, or never made because shadow mode let the call through): money spent is recorded, never lost.
/// </para>
/// <para>
/// The API is asynchronous for stores that make a round trip; an in-process store completes synchronously, so its
/// <see cref="ValueTask"/> results cost no allocation. Implementations must be thread-safe.
/// </para>
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Reserves <paramref name="amount"/> in <paramref name="window"/> when it fits <paramref name="limits"/> with what is already committed and reserved there.</summary>
    /// <param name="window">The budget and the window of time it is charged in.</param>
    /// <param name="reservationId">The call's id; a second reservation with the same id is not counted twice.</param>
    /// <param name="amount">The worst case to hold.</param>
    /// <param name="limits">The ceilings of the window.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the amount was reserved and, when not, which ceiling refused it.</returns>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached and its policy is to fail closed.</exception>
    ValueTask<BudgetReservation> TryReserveAsync(BudgetWindow window, string reservationId, BudgetUsage amount, BudgetLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Releases the reservation <paramref name="reservationId"/> and commits <paramref name="actual"/> in its place; a zero <paramref name="actual"/> refunds it whole.</summary>
    /// <param name="window">The window the reservation was made in.</param>
    /// <param name="reservationId">The call's id.</param>
    /// <param name="actual">What the call really used.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the commit is recorded (or queued, by a store that is temporarily unreachable).</returns>
    ValueTask CommitAsync(BudgetWindow window, string reservationId, BudgetUsage actual, CancellationToken cancellationToken = default);

    /// <summary>Gets what is committed and reserved in <paramref name="window"/>.</summary>
    /// <param name="window">The window.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The committed and the reserved usage.</returns>
    ValueTask<BudgetWindowUsage> GetUsageAsync(BudgetWindow window, CancellationToken cancellationToken = default);
}
