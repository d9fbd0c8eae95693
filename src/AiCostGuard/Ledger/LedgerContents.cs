namespace AiCostGuard;

/// <summary>What a JSON Lines ledger holds: its call and outcome records, and the lines that could not be read.</summary>
/// <param name="Calls">The call records, in file order.</param>
/// <param name="Outcomes">The outcome records, in file order.</param>
/// <param name="SkippedLines">A description of each line skipped, with its file and line number: a line cut short by a crash, or of a newer schema.</param>
public sealed record LedgerContents(IReadOnlyList<CostRecord> Calls, IReadOnlyList<OutcomeRecord> Outcomes, IReadOnlyList<string> SkippedLines)
{
    /// <summary>Gets the moves of the adaptive envelopes enforced while the ledger was written, in file order: each ceiling over time, and why it moved.</summary>
    public IReadOnlyList<EnvelopeStep> EnvelopeSteps { get; init; } = [];
}
