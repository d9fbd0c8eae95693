namespace AiCostGuard;

/// <summary>Records business outcomes against runs, so that reports show cost per successful outcome.</summary>
/// <remarks>
/// An outcome is joined to the calls charged to its run by <see cref="BudgetScope.Id"/>: record it with the same
/// scope the run's calls were made in. A success recorded in a client's ledger (<see cref="CostGovernanceChatClient.Ledger"/>)
/// also raises that client's adaptive envelopes (<see cref="CostGovernanceOptions.AdaptiveEnvelopes"/>) at once. This type is thread-safe.
/// </remarks>
public static class CostOutcomes
{
    /// <summary>Records that <paramref name="run"/> reached, or missed, the outcome <paramref name="name"/>.</summary>
    /// <param name="ledger">The ledger the run's calls are recorded in (<see cref="CostGovernanceChatClient.Ledger"/>).</param>
    /// <param name="run">The run.</param>
    /// <param name="name">The outcome's name, such as <c>ticket-resolved</c>: a bounded name, not free text.</param>
    /// <param name="success">Whether the run reached the outcome.</param>
    /// <param name="value">The business value in US dollars, when known.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <returns>The record written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ledger"/> or <paramref name="run"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public static OutcomeRecord Record(ICostLedger ledger, BudgetScope run, string name, bool success, decimal? value = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(name);
        AttributionValue.Validate(name, nameof(name));
        var outcome = new OutcomeRecord
        {
            Timestamp = (timeProvider ?? TimeProvider.System).GetUtcNow(),
            Attribution = CostAttribution.Current,
            ScopeName = run.Name,
            ScopeId = run.Id,
            Name = name,
            IsSuccess = success,
            Value = value,
        };
        ledger.Record(in outcome);

        // The adaptive envelopes of the clients recording in this ledger grow with its successes.
        OutcomeListeners.Publish(ledger, outcome.Timestamp, outcome.Attribution, name, success);
        return outcome;
    }
}
