namespace AiCostGuard.PostgreSql;

/// <summary>A run of record numbers a writer was handed and did not store, <see cref="First"/> to <see cref="Last"/> inclusive.</summary>
/// <param name="First">The first missing number.</param>
/// <param name="Last">The last missing number.</param>
public readonly record struct LedgerSequenceRange(long First, long Last)
{
    /// <summary>Gets how many records the range holds.</summary>
    public long Count => Last - First + 1;
}
