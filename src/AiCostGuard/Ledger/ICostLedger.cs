namespace AiCostGuard;

/// <summary>Receives the record of every governed model call, and the outcomes recorded against runs.</summary>
/// <remarks>
/// <see cref="Record(in CostRecord)"/> runs on the caller's path once per model call: implementations must be
/// thread-safe, fast and must not throw; hand slow work (files, networks) to a background writer, as
/// <see cref="JsonLinesCostLedger"/> does.
/// </remarks>
public interface ICostLedger
{
    /// <summary>Records one call.</summary>
    /// <param name="record">The record.</param>
    void Record(in CostRecord record);

    /// <summary>Records one outcome of a run. The default implementation ignores it, for sinks that keep calls only.</summary>
    /// <param name="outcome">The outcome.</param>
    void Record(in OutcomeRecord outcome)
    {
    }

    /// <summary>
    /// Records one move of an adaptive envelope's ceiling (<see cref="CostGovernanceOptions.AdaptiveEnvelopes"/>): a period
    /// start, a success that raised it, the cap, the review gate closing or opening. The default implementation ignores it.
    /// </summary>
    /// <param name="envelopeStep">The step.</param>
    void Record(EnvelopeStep envelopeStep)
    {
    }

    /// <summary>
    /// Throws when the sink cannot accept records and is configured to refuse calls meanwhile (fail-closed). The middleware
    /// calls it before sending a call, so a refused call costs nothing. The default implementation never throws.
    /// </summary>
    /// <exception cref="CostLedgerUnavailableException">The sink is failing and is configured fail-closed.</exception>
    void ThrowIfUnavailable()
    {
    }
}
