using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>
/// The rule of the ceilings — input, output and total tokens, and cost — written once, as a table: what each bounds,
/// the order a breach is reported in, what output a call can still be given, and how much input could still fit.
/// Scopes, period budgets, the budget stores and the Redis script all apply this table.
/// </summary>
/// <remarks>
/// A ceiling is a row of <see cref="All"/> and an arm of <see cref="TokenLimit"/> or <see cref="CostLimit"/>: what it
/// counts is a weighted sum of a call's tokens, or its cost, so every check below, the stores and the Redis script
/// (which is given the rows' weights) follow from the row without code of their own.
/// </remarks>
internal static class Ceilings
{
    private static readonly Ceiling[] Table =
    [
        new(BudgetLimitKind.InputTokens, "input_tokens", "input", InputWeight: 1, OutputWeight: 0, CountsCost: false),
        new(BudgetLimitKind.OutputTokens, "output_tokens", "output", InputWeight: 0, OutputWeight: 1, CountsCost: false),
        new(BudgetLimitKind.TotalTokens, "total_tokens", "total", InputWeight: 1, OutputWeight: 1, CountsCost: false),
        new(BudgetLimitKind.Cost, "cost", "cost", InputWeight: 0, OutputWeight: 0, CountsCost: true),
    ];

    private static readonly BudgetLimitKind[] KindTable = [.. Table.Select(c => c.Kind)];

    /// <summary>
    /// The ceilings in the order a breach is reported. The Redis script numbers them from 1 in this order, so its
    /// refusal codes map back with <see cref="FromCode"/>.
    /// </summary>
    public static ReadOnlySpan<Ceiling> All => Table;

    /// <summary>The kinds of <see cref="All"/>, in its order.</summary>
    public static ReadOnlySpan<BudgetLimitKind> Kinds => KindTable;

    /// <summary>Gets whether <paramref name="kind"/> is one of the ceilings rather than a run cap.</summary>
    public static bool IsCeiling(BudgetLimitKind kind) => TryGet(kind, out _);

    /// <summary>Finds the row of ceiling <paramref name="kind"/>; <see langword="false"/> for a run cap.</summary>
    public static bool TryGet(BudgetLimitKind kind, out Ceiling ceiling)
    {
        foreach (Ceiling c in Table)
        {
            if (c.Kind == kind)
            {
                ceiling = c;
                return true;
            }
        }

        ceiling = default;
        return false;
    }

    /// <summary>The ceiling a refusal code of the Redis script names (1-based, in <see cref="All"/> order).</summary>
    public static BudgetLimitKind FromCode(int code) => Table[code - 1].Kind;

    /// <summary>The value of ceiling <paramref name="kind"/> in <paramref name="limits"/>; <see langword="null"/> when unset.</summary>
    public static decimal? Limit(BudgetLimits limits, BudgetLimitKind kind) =>
        TryGet(kind, out Ceiling c) ? Limit(limits, in c) : throw NotACeiling(kind);

    /// <summary>The value of <paramref name="ceiling"/> in <paramref name="limits"/>; <see langword="null"/> when unset.</summary>
    public static decimal? Limit(BudgetLimits limits, in Ceiling ceiling) =>
        ceiling.CountsCost ? CostLimit(limits, ceiling.Kind) : TokenLimit(limits, ceiling.Kind);

    /// <summary>What <paramref name="usage"/> counts against ceiling <paramref name="kind"/>.</summary>
    public static decimal Amount(in BudgetUsage usage, BudgetLimitKind kind) =>
        TryGet(kind, out Ceiling c) ? c.Amount(usage) : throw NotACeiling(kind);

    /// <summary>Which rows <paramref name="limits"/> sets, one bit each in the table's order; <see cref="BudgetLimits"/> keeps it as its ceilings are set.</summary>
    public static int SetMask(BudgetLimits limits)
    {
        int set = 0;
        for (int i = 0; i < Table.Length; i++)
        {
            if (Limit(limits, in Table[i]) is not null)
            {
                set |= 1 << i;
            }
        }

        return set;
    }

    /// <summary>The ceilings of <paramref name="limits"/> for a message, unset ones as ∞.</summary>
    public static string Describe(BudgetLimits limits) => string.Join(", ", Table.Select(c => $"{c.Label} ≤ {Show(limits, c)}"));

    /// <summary>The first ceiling of <paramref name="limits"/> that <paramref name="need"/> beside <paramref name="used"/> would pass, in <see cref="All"/> order.</summary>
    public static CeilingBreach Check(BudgetLimits limits, in BudgetUsage used, in BudgetUsage need)
    {
        for (int set = limits.CeilingsSet; set != 0; set &= set - 1)
        {
            ref readonly Ceiling c = ref Table[BitOperations.TrailingZeroCount(set)];
            if (c.CountsCost)
            {
                if (CostLimit(limits, c.Kind) is { } max && used.Cost + need.Cost > max)
                {
                    return new(c.Kind, max, used.Cost, need.Cost);
                }
            }
            else if (TokenLimit(limits, c.Kind) is { } max)
            {
                long had = c.Tokens(used), wants = c.Tokens(need);
                if (had + wants > max)
                {
                    return new(c.Kind, max, had, wants);
                }
            }
        }

        return default;
    }

    /// <summary>
    /// The first ceiling a call's input alone passes — one that counts input tokens or, when <paramref name="costApplies"/>,
    /// cost — whatever output it is given: no clamp can save such a call.
    /// </summary>
    public static CeilingBreach CheckInput(BudgetLimits limits, in BudgetUsage used, ref PricedInput input, bool costApplies)
    {
        for (int set = limits.CeilingsSet; set != 0; set &= set - 1)
        {
            ref readonly Ceiling c = ref Table[BitOperations.TrailingZeroCount(set)];
            if (c.CountsCost)
            {
                if (costApplies && input.Price is not null && CostLimit(limits, c.Kind) is { } max && CostPasses(limits, in c, in used, ref input, max))
                {
                    return new(c.Kind, max, used.Cost, input.Cost);
                }
            }
            else if (c.InputWeight > 0 && TokenLimit(limits, c.Kind) is { } max)
            {
                long had = c.Tokens(used), wants = c.InputWeight * input.Tokens;
                if (had + wants > max)
                {
                    return new(c.Kind, max, had, wants);
                }
            }
        }

        return default;
    }

    /// <summary>
    /// Lowers <paramref name="room"/> to the output the ceilings of <paramref name="limits"/> that count output (and, when
    /// <paramref name="costApplies"/>, cost) leave a call of <paramref name="input"/>, never below zero; returns the
    /// ceiling that lowered it last, or <see langword="null"/> when none did.
    /// </summary>
    public static BudgetLimitKind? TightenOutput(BudgetLimits limits, in BudgetUsage used, ref PricedInput input, bool costApplies, ref long room)
    {
        BudgetLimitKind? binding = null;
        for (int set = limits.CeilingsSet; set != 0; set &= set - 1)
        {
            ref readonly Ceiling c = ref Table[BitOperations.TrailingZeroCount(set)];
            long left;
            if (c.CountsCost)
            {
                if (!costApplies || input.Price is not { } price || CostLimit(limits, c.Kind) is not { } max)
                {
                    continue;
                }

                left = OutputAffordable(limits, in c, in used, ref input, price, max);
            }
            else if (c.OutputWeight > 0 && TokenLimit(limits, c.Kind) is { } max)
            {
                left = FloorDivide(max - c.Tokens(used) - (c.InputWeight * input.Tokens), c.OutputWeight);
            }
            else
            {
                continue;
            }

            left = Math.Max(0, left);
            if (left < room)
            {
                room = left;
                binding = c.Kind;
            }
        }

        return binding;
    }

    /// <summary>
    /// The most output tokens, up to <paramref name="wanted"/>, that a call of <paramref name="inputTokens"/> can be given
    /// within <paramref name="limits"/> beside <paramref name="used"/>; negative when its input alone does not fit.
    /// </summary>
    public static long OutputRoom(BudgetLimits limits, in BudgetUsage used, ModelPrice? price, long inputTokens, long wanted)
    {
        var input = new PricedInput(inputTokens, price);
        if (CheckInput(limits, used, ref input, costApplies: true).IsBreached)
        {
            return -1;
        }

        long room = wanted;
        TightenOutput(limits, used, ref input, costApplies: true, ref room);
        return room;
    }

    /// <summary>
    /// The most input tokens a call with <paramref name="wantedOutput"/> could bring and still fit <paramref name="limits"/>
    /// beside <paramref name="used"/>: below it the length bound of an estimate is good enough, above it counting pays.
    /// </summary>
    public static long InputRoom(BudgetLimits limits, in BudgetUsage used, ModelPrice? price, long wantedOutput)
    {
        long room = long.MaxValue;
        for (int set = limits.CeilingsSet; set != 0; set &= set - 1)
        {
            ref readonly Ceiling c = ref Table[BitOperations.TrailingZeroCount(set)];
            if (c.CountsCost)
            {
                if (CostLimit(limits, c.Kind) is { } max && price is { InputPerMillion: > 0 })
                {
                    room = Math.Min(room, price.InputTokensAffordable(max - used.Cost - price.GetWorstCaseCost(0, wantedOutput)));
                }
            }
            else if (TokenLimit(limits, c.Kind) is { } max)
            {
                long left = max - c.Tokens(used) - (c.OutputWeight * wantedOutput);
                room = c.InputWeight > 0 ? Math.Min(room, FloorDivide(left, c.InputWeight)) : left < 0 ? 0 : room;
            }
        }

        return room;
    }

    /// <summary>
    /// Whether the input's worst case beside <paramref name="used"/> passes cost ceiling <paramref name="max"/>: in whole
    /// picodollars when <see cref="InPicos"/> applies, which is the same comparison as in decimals without its cost.
    /// </summary>
    private static bool CostPasses(BudgetLimits limits, in Ceiling c, in BudgetUsage used, ref PricedInput input, decimal max) =>
        InPicos(limits, in c, in used, ref input, out long maxPicos, out long inputPicos)
            ? inputPicos > maxPicos
            : used.Cost + input.Cost > max;

    /// <summary>The output the rest of cost ceiling <paramref name="max"/> buys after the input's worst case; in whole picodollars where <see cref="InPicos"/> applies.</summary>
    private static long OutputAffordable(BudgetLimits limits, in Ceiling c, in BudgetUsage used, ref PricedInput input, ModelPrice price, decimal max) =>
        InPicos(limits, in c, in used, ref input, out long maxPicos, out long inputPicos)
            && price.OutputTokensAffordablePicos(maxPicos - inputPicos, input.Tokens) is >= 0 and long tokens
            ? tokens
            : price.OutputTokensAffordable(max - used.Cost - input.Cost, input.Tokens);

    /// <summary>
    /// Whether a cost ceiling can be checked in whole picodollars: nothing is spent against it yet (a request's ceiling, a
    /// fresh scope) and both the ceiling and the input's worst case are whole numbers of them.
    /// </summary>
    private static bool InPicos(BudgetLimits limits, in Ceiling c, in BudgetUsage used, ref PricedInput input, out long maxPicos, out long inputPicos)
    {
        maxPicos = CostLimitPicos(limits, c.Kind);
        inputPicos = maxPicos >= 0 && used.Cost == 0m ? input.Picos : -1;
        return inputPicos >= 0;
    }

    /// <summary>The limit of a token ceiling: one arm per row of <see cref="Table"/> that counts tokens.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long? TokenLimit(BudgetLimits limits, BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.InputTokens => limits.MaximumInputTokens,
        BudgetLimitKind.OutputTokens => limits.MaximumOutputTokens,
        BudgetLimitKind.TotalTokens => limits.MaximumTotalTokens,
        _ => ThrowNotACeiling<long?>(kind),
    };

    /// <summary>The limit of a cost ceiling: one arm per row of <see cref="Table"/> that counts cost.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static decimal? CostLimit(BudgetLimits limits, BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.Cost => limits.MaximumCost,
        _ => ThrowNotACeiling<decimal?>(kind),
    };

    /// <summary>The limit of a cost ceiling in whole picodollars, negative when it has none: an arm per arm of <see cref="CostLimit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CostLimitPicos(BudgetLimits limits, BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.Cost => limits.MaximumCostPicos(),
        _ => ThrowNotACeiling<long>(kind),
    };

    private static long FloorDivide(long value, int by)
    {
        long quotient = Math.DivRem(value, by, out long remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private static string Show(BudgetLimits limits, Ceiling c) => Limit(limits, in c) switch
    {
        null => "∞",
        { } cost when c.CountsCost => "$" + cost.ToString(CultureInfo.InvariantCulture),
        { } tokens => tokens.ToString("N0", CultureInfo.InvariantCulture),
    };

    // Thrown from a helper, so the limit lookups stay small enough to inline into the checks' loops.
    [DoesNotReturn]
    private static T ThrowNotACeiling<T>(BudgetLimitKind kind) => throw NotACeiling(kind);

    private static ArgumentOutOfRangeException NotACeiling(BudgetLimitKind kind) =>
        new(nameof(kind), kind, "Not a ceiling: run caps are counted by the scope, not by usage.");
}
