using System.ComponentModel.DataAnnotations;

namespace AiCostGuard.PostgreSql;

/// <summary>Configures a <see cref="PostgreSqlCostLedger"/>; binds from configuration (e.g. the <c>"AiCostGuard:PostgreSqlLedger"</c> section).</summary>
/// <remarks>Validated once, when the ledger is created (or, with dependency injection, when the host starts), into one exception listing every problem.</remarks>
public sealed class PostgreSqlLedgerOptions
{
    /// <summary>Gets or sets the Npgsql connection string, e.g. <c>Host=db;Database=finops;Username=aicostguard</c>.</summary>
    /// <value>The default value is <see langword="null"/>: required, unless the ledger is given an <c>NpgsqlDataSource</c> (directly or from dependency injection).</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the PostgreSQL schema that holds the ledger's tables; it is created when missing.</summary>
    /// <value>The default value is <c>aicostguard</c>.</value>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "The schema must be 1 to 63 lower-case letters, digits or '_', not starting with a digit.")]
    public string Schema { get; set; } = "aicostguard";

    /// <summary>Gets or sets how many records may wait for the background writer.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many records one <c>COPY</c> writes at most.</summary>
    /// <value>The default value is 5,000.</value>
    [Range(1, 1_000_000)]
    public int MaximumBatchSize { get; set; } = 5_000;

    /// <summary>
    /// Gets or sets how many batches the writer stores at once, each in its own transaction on its own pooled connection,
    /// when more than <see cref="MaximumBatchSize"/> records are waiting: the database stores one while the next is
    /// encoded and sent, so a writer that has fallen behind catches up at the pace of several server processes. With fewer
    /// waiting, one batch is written at a time. Batches stored at once may interleave in storage order, as two processes'
    /// records do; each record is still stored once, and the writer's numbering keeps no gap.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(1, 16)]
    public int MaximumConcurrentBatches { get; set; } = 2;

    /// <summary>
    /// Gets or sets whether a call waits for room when the queue is full (<see langword="true"/>: no record is dropped,
    /// and a database slower than the calls slows the calls down) or its record is dropped and counted in
    /// <see cref="CostGovernanceTelemetry.LedgerDroppedMetric"/> and <see cref="PostgreSqlCostLedger.DroppedCount"/>
    /// (<see langword="false"/>: calls never wait on the database).
    /// </summary>
    /// <value>The default value is <see langword="true"/>: a cost ledger keeps every record.</value>
    public bool WaitWhenQueueFull { get; set; } = true;

    /// <summary>
    /// Gets or sets whether calls are refused with <see cref="CostLedgerUnavailableException"/> while the database cannot
    /// be written (fail-closed). When <see langword="false"/> (fail-open) calls go on; records are kept in memory for a
    /// retry, up to <see cref="QueueCapacity"/>, and the failure is logged and counted. Either way the writer retries on
    /// its own, after <see cref="RetryDelay"/> doubling up to <see cref="MaximumRetryDelay"/>, and calls are admitted again
    /// as soon as a write succeeds.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FailClosed { get; set; }

    /// <summary>Gets or sets how long the writer waits before it retries after a failed write; the wait doubles with each failure in a row.</summary>
    /// <value>The default value is 1 second.</value>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between two retries.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a local directory for the hand-off journal: a small memory-mapped file per ledger instance holding
    /// how many records it was handed, which survives the process being killed (not the machine losing power). The next
    /// ledger started on the same directory, or <c>aicostguard writers --journal</c>, stores a dead writer's count in
    /// <c>{schema}.writers</c>, so the records it never stored are counted exactly. Give each database its own directory.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the count is kept in memory and stored with each batch, so the records
    /// a killed writer had been handed since its last batch are not counted (a writer closed normally stores its final count).
    /// </value>
    public string? HandOffJournalDirectory { get; set; }

    /// <summary>Lists every problem with these options.</summary>
    /// <param name="hasDataSource">Whether the ledger is given a data source, which makes <see cref="ConnectionString"/> optional.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(bool hasDataSource = false)
    {
        List<string> problems = SettingRules.Check(this);
        if (!hasDataSource && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add($"{nameof(ConnectionString)}: set an Npgsql connection string (e.g. 'Host=localhost;Database=finops'), or register an NpgsqlDataSource.");
        }

        if (MaximumRetryDelay < RetryDelay)
        {
            problems.Add($"{nameof(MaximumRetryDelay)}: {MaximumRetryDelay} is shorter than {nameof(RetryDelay)} ({RetryDelay}).");
        }

        return problems;
    }
}
