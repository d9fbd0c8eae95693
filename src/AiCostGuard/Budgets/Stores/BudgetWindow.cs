using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// A budget key and the window of time it is charged in: one calendar period (a day, week or month starting at
/// <see cref="Start"/>), or the last <see cref="BucketCount"/> buckets of a rolling window, the newest starting at <see cref="Start"/>.
/// </summary>
/// <param name="Key">The budget and attribution key, e.g. <c>monthly-team|team=search</c>.</param>
/// <param name="Start">The start of the calendar period, or of the newest bucket of a rolling window.</param>
/// <param name="End">The end (exclusive) of the calendar period or of the newest bucket; a store may forget the window after it.</param>
/// <param name="BucketLength">The length of one bucket of a rolling window; <see cref="TimeSpan.Zero"/> for a calendar period.</param>
/// <param name="BucketCount">How many buckets a rolling window spans; 1 for a calendar period.</param>
public readonly record struct BudgetWindow(string Key, DateTimeOffset Start, DateTimeOffset End, TimeSpan BucketLength, int BucketCount)
{
    /// <summary>Gets whether this is a rolling window made of several buckets.</summary>
    public bool IsRolling => BucketCount > 1;

    /// <summary>Gets how long the window's data must be kept: until the end of the period, or until the newest bucket leaves the rolling window.</summary>
    public DateTimeOffset RetainUntil => IsRolling ? End + (BucketLength * (BucketCount - 1)) : End;

    /// <summary>Gets the id of the bucket starting at <paramref name="start"/>: its start in Unix seconds.</summary>
    /// <param name="start">The bucket start.</param>
    /// <returns>The id, stable across processes and time zones.</returns>
    public static string BucketId(DateTimeOffset start) => start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
