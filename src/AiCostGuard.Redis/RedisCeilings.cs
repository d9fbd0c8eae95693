using StackExchange.Redis;

namespace AiCostGuard.Redis;

/// <summary>
/// The core's ceilings table as Redis applies it: each row becomes four script arguments — its limit in Redis's whole
/// units (tokens, or nanodollars for cost; -1 when unset) and its weights — so the script checks every ceiling the table
/// has, in its order, with no ceiling written into the script.
/// </summary>
internal static class RedisCeilings
{
    /// <summary>The rows of the table, with the values of <paramref name="limits"/>: four arguments each.</summary>
    public static RedisValue[] Arguments(BudgetLimits limits)
    {
        var args = new RedisValue[Ceilings.All.Length * 4];
        int at = 0;
        foreach (Ceiling c in Ceilings.All)
        {
            args[at++] = Limit(limits, c);
            args[at++] = c.InputWeight;
            args[at++] = c.OutputWeight;
            args[at++] = c.CountsCost ? 1 : 0;
        }

        return args;
    }

    /// <summary>The limit of <paramref name="ceiling"/> in Redis's units; -1 when unset.</summary>
    public static long Limit(BudgetLimits limits, in Ceiling ceiling) => Ceilings.Limit(limits, in ceiling) switch
    {
        null => -1,
        { } cost when ceiling.CountsCost => RedisAmount.CeilingNanos(cost),
        { } tokens => (long)tokens,
    };

    /// <summary>What <paramref name="amount"/> counts against <paramref name="ceiling"/>, in Redis's units.</summary>
    public static long Amount(in RedisAmount amount, in Ceiling ceiling) =>
        ceiling.CountsCost ? amount.Nanos : (ceiling.InputWeight * amount.Input) + (ceiling.OutputWeight * amount.Output);

    /// <summary>Gets whether <paramref name="held"/> covers <paramref name="need"/> for every ceiling <paramref name="limits"/> sets.</summary>
    public static bool Covers(in RedisAmount held, in RedisAmount need, BudgetLimits limits)
    {
        foreach (Ceiling c in Ceilings.All)
        {
            if (Ceilings.Limit(limits, in c) is not null && Amount(need, c) > Amount(held, c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The refusal the script's answer names: the ceiling by its 1-based position in the table, its limit and what is used against it.</summary>
    public static BudgetReservation Refusal(int code, long limit, long used)
    {
        Ceiling c = Ceilings.All[code - 1];
        return c.CountsCost
            ? new BudgetReservation(false, c.Kind, RedisAmount.Dollars(limit), RedisAmount.Dollars(used))
            : new BudgetReservation(false, c.Kind, limit, used);
    }

    /// <summary>
    /// The lease to take: <paramref name="fraction"/> of each ceiling <paramref name="limits"/> sets. A ceiling of one kind
    /// of token sizes that kind; one of several (a total) tops up input with what the others leave it.
    /// </summary>
    public static RedisAmount Chunk(BudgetLimits limits, double fraction)
    {
        long input = 0, output = 0, nanos = 0;
        foreach (Ceiling c in Ceilings.All)
        {
            long limit = Limit(limits, c);
            if (limit < 0)
            {
                continue;
            }

            if (c.CountsCost)
            {
                nanos = Math.Max(nanos, (long)decimal.Floor(limit * (decimal)fraction));
            }
            else if (c.OutputWeight == 0)
            {
                input = Math.Max(input, Share(limit, fraction) / c.InputWeight);
            }
            else if (c.InputWeight == 0)
            {
                output = Math.Max(output, Share(limit, fraction) / c.OutputWeight);
            }
        }

        foreach (Ceiling c in Ceilings.All)
        {
            if (!c.CountsCost && c.InputWeight > 0 && c.OutputWeight > 0 && Limit(limits, c) is var limit and >= 0)
            {
                input = Math.Max(input, (Share(limit, fraction) - (c.OutputWeight * output)) / c.InputWeight);
            }
        }

        return new RedisAmount(input, output, nanos);
    }

    private static long Share(long limit, double fraction) => (long)Math.Ceiling(limit * fraction);
}
