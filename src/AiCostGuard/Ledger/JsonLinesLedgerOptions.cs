using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AiCostGuard;

/// <summary>Configures a <see cref="JsonLinesCostLedger"/>.</summary>
/// <remarks>Validated once, when the ledger is created, into one exception listing every problem.</remarks>
public sealed class JsonLinesLedgerOptions
{
    /// <summary>Gets or sets the directory the ledger files are written to; it is created when missing.</summary>
    /// <value>The default value is <see langword="null"/>, which is invalid: a directory must be named.</value>
    [Required]
    public string? Directory { get; set; }

    /// <summary>Gets or sets the start of every file name: files are named <c>{prefix}-{yyyyMMdd}-{nnn}.jsonl</c>, by the UTC day of their records.</summary>
    /// <value>The default value is <c>aicostguard-ledger</c>.</value>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string FilePrefix { get; set; } = "aicostguard-ledger";

    /// <summary>Gets or sets the size at which a file is closed and the next one begun; a new UTC day also begins a new file.</summary>
    /// <value>The default value is 100 MiB.</value>
    [Range(1024, long.MaxValue)]
    public long MaximumFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Gets or sets how many records may wait for the background writer.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets whether a call waits for room when the queue is full (<see langword="true"/>: no record is dropped,
    /// and a disk slower than the calls slows the calls down) or its record is dropped and counted
    /// (<see cref="JsonLinesCostLedger.DroppedRecords"/>, <see cref="JsonLinesCostLedger.RecordsDropped"/>; the
    /// <c>aicostguard.ledger.dropped</c> metric) (<see langword="false"/>: calls never wait on the disk).
    /// </summary>
    /// <value>The default value is <see langword="true"/>: a cost ledger keeps every record.</value>
    public bool WaitWhenQueueFull { get; set; } = true;

    /// <summary>
    /// Gets or sets whether calls are refused with <see cref="CostLedgerUnavailableException"/> while the files cannot be
    /// written (fail-closed). When <see langword="false"/> (fail-open) calls go on; records are kept in memory for a retry,
    /// up to <see cref="QueueCapacity"/>, and the failure is logged and counted. Either way the writer retries on its own,
    /// after <see cref="RetryDelay"/> doubling up to <see cref="MaximumRetryDelay"/>, and calls resume once a write succeeds.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FailClosed { get; set; }

    /// <summary>Gets or sets how long the writer waits after a failed write before it tries again; each further failure doubles the wait.</summary>
    /// <value>The default value is 1 second.</value>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between two attempts while the files cannot be written.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock that times retries after a failed write.</summary>
    /// <value>The default, <see langword="null"/>, uses <see cref="System.TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Lists every problem with these options.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = SettingRules.Check(this);
        if (MaximumRetryDelay < RetryDelay)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaximumRetryDelay)}: {MaximumRetryDelay} is shorter than {nameof(RetryDelay)} ({RetryDelay})."));
        }

        return problems;
    }
}
