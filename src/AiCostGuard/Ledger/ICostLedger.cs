namespace AiCostGuard;

/// <summary>Receives the record of every governed model call.</summary>
/// <remarks>
/// <see cref="Record(in CostRecord)"/> runs on the caller's path once per model call: implementations must be
/// thread-safe, fast and must not throw; hand slow work (files, networks) to a background writer.
/// </remarks>
public interface ICostLedger
{
    /// <summary>Records one call.</summary>
    /// <param name="record">The record.</param>
    void Record(in CostRecord record);
}
