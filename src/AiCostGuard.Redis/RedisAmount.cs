namespace AiCostGuard.Redis;

/// <summary>A <see cref="BudgetUsage"/> in whole units: tokens and nanodollars, as Redis keeps them.</summary>
internal readonly record struct RedisAmount(long Input, long Output, long Nanos)
{
    private const decimal NanosPerDollar = 1_000_000_000m;

    public bool IsZero => Input == 0 && Output == 0 && Nanos == 0;

    public long Total => Input + Output;

    public static RedisAmount operator +(RedisAmount left, RedisAmount right) => new(left.Input + right.Input, left.Output + right.Output, left.Nanos + right.Nanos);

    public static RedisAmount operator -(RedisAmount left, RedisAmount right) => new(left.Input - right.Input, left.Output - right.Output, left.Nanos - right.Nanos);

    /// <summary>Cost is rounded up to the nanodollar, so a ceiling is never undercounted.</summary>
    public static RedisAmount From(BudgetUsage usage) =>
        new(usage.InputTokens, usage.OutputTokens, (long)decimal.Ceiling(usage.Cost * NanosPerDollar));

    public static decimal Dollars(long nanos) => nanos / NanosPerDollar;

    public static long CeilingNanos(decimal? dollars) => dollars is { } d ? (long)decimal.Floor(d * NanosPerDollar) : -1;

    public static RedisAmount Max(RedisAmount left, RedisAmount right) =>
        new(Math.Max(left.Input, right.Input), Math.Max(left.Output, right.Output), Math.Max(left.Nanos, right.Nanos));

    public BudgetUsage ToUsage() => new(Input, Output, Dollars(Nanos));
}
