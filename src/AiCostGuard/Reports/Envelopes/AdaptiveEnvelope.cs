namespace AiCostGuard;

/// <summary>Replays a ledger through an <see cref="AdaptiveEnvelopeOptions"/>: the ceiling of every key over time, and why it moved.</summary>
/// <remarks>
/// Records are replayed in time order, per key and period: the ceiling starts at the base; each successful outcome adds
/// the allowance, up to the cap, unless the review gate is closed (cost per success above the target), in which case
/// the ceiling holds until the cost per success is back at the target and then catches up with every success of the
/// period. Refused calls cost nothing and are left out. Thread-safe: it keeps no state.
/// </remarks>
public static class AdaptiveEnvelope
{
    /// <summary>Replays the records.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="outcomes">The outcome records.</param>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The steps, by key, then time.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The envelope is invalid; the message names every field at fault.</exception>
    public static IReadOnlyList<EnvelopeStep> Replay(IEnumerable<CostRecord> calls, IEnumerable<OutcomeRecord> outcomes, AdaptiveEnvelopeOptions envelope)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException("Invalid adaptive envelope: " + string.Join(" ", problems), nameof(envelope));
        }

        var events = calls.Where(c => c.Outcome != CallOutcome.NotSent && c.Decision != BudgetDecision.Rejected)
            .Select(c => (c.Timestamp, Key: AttributionKey.Build(envelope.Dimensions, c.Attribution ?? CostAttribution.Empty), c.Cost, Success: false))
            .Concat(outcomes.Where(o => o.IsSuccess && (envelope.OutcomeName is null || o.Name == envelope.OutcomeName))
                .Select(o => (o.Timestamp, Key: AttributionKey.Build(envelope.Dimensions, o.Attribution ?? CostAttribution.Empty), Cost: 0m, Success: true)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ThenBy(e => e.Timestamp);
        var steps = new List<EnvelopeStep>();
        EnvelopeCeiling? ceiling = null;
        foreach ((DateTimeOffset time, string key, decimal cost, bool success) in events)
        {
            if (ceiling is null || ceiling.Key != key || !ceiling.Covers(time))
            {
                ceiling = EnvelopeCeiling.Begin(envelope, key, time, out EnvelopeStep start);
                steps.Add(start);
            }

            if (ceiling.Apply(time, cost, success) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }
}
