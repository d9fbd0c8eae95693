namespace AiCostGuard.PostgreSql;

/// <summary>One writer of a PostgreSQL ledger (a <see cref="PostgreSqlCostLedger"/> instance), as <see cref="PostgreSqlLedgerWriters.ReadAsync"/> reads it.</summary>
public sealed class PostgreSqlLedgerWriter
{
    internal PostgreSqlLedgerWriter(string writer, string host, int processId, DateTimeOffset startedAt, long handedOff, long stored, LedgerWriterState state, DateTimeOffset? endedAt, IReadOnlyList<LedgerSequenceRange> missingRanges)
    {
        Writer = writer;
        Host = host;
        ProcessId = processId;
        StartedAt = startedAt;
        HandedOff = handedOff;
        Stored = stored;
        State = state;
        EndedAt = endedAt;
        MissingRanges = missingRanges;
    }

    /// <summary>Gets the writer's name: 16 hex digits, the first half of the ids of its records.</summary>
    public string Writer { get; }

    /// <summary>Gets the machine the writer ran on (for a killed writer, the machine that stored its journal).</summary>
    public string Host { get; }

    /// <summary>Gets the writer's process id.</summary>
    public int ProcessId { get; }

    /// <summary>Gets when the writer started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets how many records the writer had been handed, as last stored: final unless <see cref="State"/> is <see cref="LedgerWriterState.Running"/>.</summary>
    public long HandedOff { get; }

    /// <summary>Gets how many of them are in the ledger.</summary>
    public long Stored { get; }

    /// <summary>Gets whether <see cref="HandedOff"/> is final.</summary>
    public LedgerWriterState State { get; }

    /// <summary>Gets when the writer's final count was stored, or <see langword="null"/> while it has none.</summary>
    public DateTimeOffset? EndedAt { get; }

    /// <summary>Gets the records handed over and not in the ledger: <see cref="HandedOff"/> − <see cref="Stored"/>; lost when <see cref="State"/> is not <see cref="LedgerWriterState.Running"/>.</summary>
    public long Missing => HandedOff - Stored;

    /// <summary>Gets the numbers of the missing records, in runs, lowest first.</summary>
    public IReadOnlyList<LedgerSequenceRange> MissingRanges { get; }
}
