namespace AiCostGuard;

/// <summary>What a call holds in the adaptive envelopes between admission and settlement.</summary>
internal sealed class EnvelopeHold(string id, DateTimeOffset time, string[] keys, BudgetWindow[] windows)
{
    public string Id { get; } = id;

    /// <summary>When the call was admitted: it is booked to the envelope's period at that time, as the ledger's record is.</summary>
    public DateTimeOffset Time { get; } = time;

    /// <summary>The call's attribution keys, one per envelope.</summary>
    public string[] Keys { get; } = keys;

    /// <summary>The windows the call is reserved in, one per envelope.</summary>
    public BudgetWindow[] Windows { get; } = windows;

    /// <summary>The first envelope that would have refused the call in shadow mode.</summary>
    public Exception? ShadowBreach { get; set; }
}
