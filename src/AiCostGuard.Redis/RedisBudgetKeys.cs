namespace AiCostGuard.Redis;

/// <summary>
/// Where a budget window lives in Redis, written once for the store and the reconciler. A window's keys share the hash
/// tag <c>{key}</c>; a calendar period is <c>{prefix}{key}:{start}</c> with its committed totals in <c>…:c</c>, a rolling
/// window is <c>{prefix}{key}</c> with one totals hash per bucket, <c>…:c:{bucket start}</c> (starts in Unix seconds).
/// </summary>
internal static class RedisBudgetKeys
{
    public static string Scope(string prefix, BudgetWindow window) =>
        window.IsRolling ? $"{prefix}{{{window.Key}}}" : $"{prefix}{{{window.Key}}}:{BudgetWindow.BucketId(window.Start)}";

    /// <summary>The hash of committed totals (fields <c>i o c</c>) of the window's newest bucket, or of its calendar period.</summary>
    public static string Committed(string prefix, BudgetWindow window) =>
        window.IsRolling ? $"{Scope(prefix, window)}:c:{BudgetWindow.BucketId(window.Start)}" : Scope(prefix, window) + ":c";

    /// <summary>How long the keys must outlive the window: the longest a reservation or lease can still be settled after it.</summary>
    public static TimeSpan Retention(RedisBudgetStoreOptions options) =>
        (options.ReservationTimeout > options.LeaseDuration ? options.ReservationTimeout : options.LeaseDuration) + TimeSpan.FromMinutes(1);

    // Relative, because Redis expires keys by its own clock while windows are judged by the clients'.
    public static long TimeToLiveSeconds(BudgetWindow window, DateTimeOffset now, TimeSpan retention)
    {
        TimeSpan left = window.RetainUntil > now ? window.RetainUntil - now : TimeSpan.Zero;
        return (long)Math.Ceiling((left + retention).TotalSeconds);
    }

    /// <summary>
    /// Reads a committed-totals key back into its window key and bucket start; <see langword="false"/> for the other keys
    /// of a window (reservations, expiries, commit ids) and for keys of another layout.
    /// </summary>
    public static bool TryParseCommitted(string prefix, string redisKey, bool rolling, out string windowKey, out DateTimeOffset start)
    {
        windowKey = string.Empty;
        start = default;
        if (!redisKey.StartsWith(prefix + "{", StringComparison.Ordinal))
        {
            return false;
        }

        int open = prefix.Length + 1;
        int close = redisKey.IndexOf("}:", open, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        string rest = redisKey[(close + 2)..];
        string? bucket = rolling
            ? (rest.StartsWith("c:", StringComparison.Ordinal) ? rest[2..] : null)
            : (rest.EndsWith(":c", StringComparison.Ordinal) ? rest[..^2] : null);
        if (bucket is null || !long.TryParse(bucket, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long seconds))
        {
            return false;
        }

        windowKey = redisKey[open..close];
        start = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    /// <summary>Escapes the characters Redis's glob patterns give a meaning to.</summary>
    public static string Glob(string literal)
    {
        var escaped = new System.Text.StringBuilder(literal.Length);
        foreach (char c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' or '^')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
