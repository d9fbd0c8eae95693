namespace AiCostGuard;

/// <summary>
/// The rule of the four ceilings — input, output and total tokens, and cost — written once: what each bounds, the
/// order a breach is reported in, what output a call can still be given, and how much input could still fit. Scopes,
/// period budgets, the budget stores and the Redis script all apply these.
/// </summary>
internal static class Ceilings
{
    /// <summary>
    /// The ceilings in the order a breach is reported. The Redis script numbers them from 1 in this order, so its
    /// refusal codes map back with <see cref="FromCode"/>.
    /// </summary>
    public static ReadOnlySpan<BudgetLimitKind> Kinds => [BudgetLimitKind.InputTokens, BudgetLimitKind.OutputTokens, BudgetLimitKind.TotalTokens, BudgetLimitKind.Cost];

    /// <summary>Gets whether <paramref name="kind"/> is one of the ceilings rather than a run cap.</summary>
    public static bool IsCeiling(BudgetLimitKind kind) => Kinds.Contains(kind);

    /// <summary>The ceiling a refusal code of the Redis script names (1-based, in <see cref="Kinds"/> order).</summary>
    public static BudgetLimitKind FromCode(int code) => Kinds[code - 1];

    /// <summary>The value of ceiling <paramref name="kind"/> in <paramref name="limits"/>; <see langword="null"/> when unset.</summary>
    public static decimal? Limit(BudgetLimits limits, BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.InputTokens => limits.MaximumInputTokens,
        BudgetLimitKind.OutputTokens => limits.MaximumOutputTokens,
        BudgetLimitKind.TotalTokens => limits.MaximumTotalTokens,
        BudgetLimitKind.Cost => limits.MaximumCost,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a ceiling: run caps are counted by the scope, not by usage."),
    };

    /// <summary>What <paramref name="usage"/> counts against ceiling <paramref name="kind"/>.</summary>
    public static decimal Amount(in BudgetUsage usage, BudgetLimitKind kind) => kind switch
    {
        BudgetLimitKind.InputTokens => usage.InputTokens,
        BudgetLimitKind.OutputTokens => usage.OutputTokens,
        BudgetLimitKind.TotalTokens => usage.TotalTokens,
        BudgetLimitKind.Cost => usage.Cost,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a ceiling: run caps are counted by the scope, not by usage."),
    };

    /// <summary>The first ceiling of <paramref name="limits"/> that <paramref name="need"/> beside <paramref name="used"/> would pass, in <see cref="Kinds"/> order.</summary>
    public static CeilingBreach Check(BudgetLimits limits, in BudgetUsage used, in BudgetUsage need)
    {
        if (limits.MaximumInputTokens is { } input && used.InputTokens + need.InputTokens > input)
        {
            return new(BudgetLimitKind.InputTokens, input, used.InputTokens, need.InputTokens);
        }

        if (limits.MaximumOutputTokens is { } output && used.OutputTokens + need.OutputTokens > output)
        {
            return new(BudgetLimitKind.OutputTokens, output, used.OutputTokens, need.OutputTokens);
        }

        if (limits.MaximumTotalTokens is { } total && used.TotalTokens + need.TotalTokens > total)
        {
            return new(BudgetLimitKind.TotalTokens, total, used.TotalTokens, need.TotalTokens);
        }

        if (limits.MaximumCost is { } cost && used.Cost + need.Cost > cost)
        {
            return new(BudgetLimitKind.Cost, cost, used.Cost, need.Cost);
        }

        return default;
    }

    /// <summary>
    /// The first ceiling a call's input alone passes — input, total or, when <paramref name="costApplies"/>, cost —
    /// whatever output it is given: no clamp can save such a call.
    /// </summary>
    public static CeilingBreach CheckInput(BudgetLimits limits, in BudgetUsage used, ref PricedInput input, bool costApplies)
    {
        if (limits.MaximumInputTokens is { } maxInput && used.InputTokens + input.Tokens > maxInput)
        {
            return new(BudgetLimitKind.InputTokens, maxInput, used.InputTokens, input.Tokens);
        }

        if (limits.MaximumTotalTokens is { } maxTotal && used.TotalTokens + input.Tokens > maxTotal)
        {
            return new(BudgetLimitKind.TotalTokens, maxTotal, used.TotalTokens, input.Tokens);
        }

        if (costApplies && input.Price is not null && limits.MaximumCost is { } maxCost && used.Cost + input.Cost > maxCost)
        {
            return new(BudgetLimitKind.Cost, maxCost, used.Cost, input.Cost);
        }

        return default;
    }

    /// <summary>
    /// Lowers <paramref name="room"/> to the output the output, total and (when <paramref name="costApplies"/>) cost
    /// ceilings of <paramref name="limits"/> leave a call of <paramref name="input"/>, never below zero; returns the
    /// ceiling that lowered it last, or <see langword="null"/> when none did.
    /// </summary>
    public static BudgetLimitKind? TightenOutput(BudgetLimits limits, in BudgetUsage used, ref PricedInput input, bool costApplies, ref long room)
    {
        BudgetLimitKind? binding = null;
        if (limits.MaximumOutputTokens is { } maxOutput)
        {
            Tighten(maxOutput - used.OutputTokens, BudgetLimitKind.OutputTokens, ref room, ref binding);
        }

        if (limits.MaximumTotalTokens is { } maxTotal)
        {
            Tighten(maxTotal - used.TotalTokens - input.Tokens, BudgetLimitKind.TotalTokens, ref room, ref binding);
        }

        if (costApplies && input.Price is { } price && limits.MaximumCost is { } maxCost)
        {
            Tighten(price.OutputTokensAffordable(maxCost - used.Cost - input.Cost, input.Tokens), BudgetLimitKind.Cost, ref room, ref binding);
        }

        return binding;

        static void Tighten(long left, BudgetLimitKind kind, ref long room, ref BudgetLimitKind? binding)
        {
            left = Math.Max(0, left);
            if (left < room)
            {
                room = left;
                binding = kind;
            }
        }
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
        if (limits.MaximumInputTokens is { } input)
        {
            room = Math.Min(room, input - used.InputTokens);
        }

        if (limits.MaximumTotalTokens is { } total)
        {
            room = Math.Min(room, total - used.TotalTokens - wantedOutput);
        }

        if (limits.MaximumOutputTokens is { } output && output - used.OutputTokens < wantedOutput)
        {
            room = 0;
        }

        if (limits.MaximumCost is { } cost && price is { InputPerMillion: > 0 })
        {
            decimal left = cost - used.Cost - price.GetWorstCaseCost(0, wantedOutput);
            room = Math.Min(room, price.InputTokensAffordable(left));
        }

        return room;
    }
}
