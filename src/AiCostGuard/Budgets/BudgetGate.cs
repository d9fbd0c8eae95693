using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>
/// Decides whether a call's worst case fits the per-request ceilings and every enclosing <see cref="BudgetScope"/>,
/// and reserves it atomically when it does.
/// </summary>
internal static class BudgetGate
{
    internal const string RequestBudgetName = "request";

    /// <summary>The outcome of <see cref="Admit"/>.</summary>
    internal readonly record struct Verdict(
        BudgetDecision Decision,
        long OutputTokens,
        BudgetUsage Reserved,
        BudgetLimitKind? LimitKind,
        string? LimitBudget,
        BudgetExceededException? Rejection);

    /// <summary>What a call asks of its budgets.</summary>
    internal readonly record struct Demand(
        BudgetLimits Request,
        ModelProfile Model,
        long InputTokens,
        long WantedOutput,
        OverBudgetAction Action,
        int MinimumClampedOutput,
        EnforcementMode Mode);

    /// <summary>
    /// Evaluates <paramref name="demand"/> against the per-request ceilings and <paramref name="scope"/> with its
    /// parents, and reserves its worst case in all of them unless it is rejected.
    /// </summary>
    public static Verdict Admit(in Demand demand, BudgetScope? scope) =>
        scope is null ? Decide(in demand, null) : LockAndAdmit(in demand, scope, scope, reserve: true);

    /// <summary>Evaluates <paramref name="demand"/> as <see cref="Admit"/> would, without reserving anything.</summary>
    public static Verdict Evaluate(in Demand demand, BudgetScope? scope) =>
        scope is null ? Decide(in demand, null) : LockAndAdmit(in demand, scope, scope, reserve: false);

    // Locks are taken innermost first, so every thread takes scope locks in the same (depth-descending) order.
    private static Verdict LockAndAdmit(in Demand demand, BudgetScope innermost, BudgetScope current, bool reserve)
    {
        lock (current.Sync)
        {
            if (current.Parent is { } parent)
            {
                return LockAndAdmit(in demand, innermost, parent, reserve);
            }

            Verdict verdict = Decide(in demand, innermost);
            if (reserve && verdict.Decision != BudgetDecision.Rejected)
            {
                // Above a scope that carved its cost ceiling, the cost is already held by the carve.
                bool costHere = true;
                for (BudgetScope? s = innermost; s is not null; s = s.Parent)
                {
                    s.AddReservation(costHere ? verdict.Reserved : verdict.Reserved with { Cost = 0 });
                    costHere &= !s.CarvesCost;
                }
            }

            return verdict;
        }
    }

    private static Verdict Decide(in Demand demand, BudgetScope? innermost)
    {
        ModelPrice? price = demand.Model.Price;
        long wantedOutput = demand.WantedOutput;
        var input = new PricedInput(demand.InputTokens, price);

        // The input alone must fit: no clamp of the output can save a call whose prompt is over a ceiling.
        Breach breach = default;
        long outputRoom = wantedOutput;
        Consider(demand.Request, default, RequestBudgetName, costApplies: true, ref input, ref breach, ref outputRoom);
        bool costApplies = true;
        for (BudgetScope? s = innermost; s is not null; s = s.Parent)
        {
            if (!breach.Found.IsBreached && RunCapBreach(s) is { IsBreached: true } cap)
            {
                breach.Found = cap;
                breach.Budget = s.Name;
            }

            Consider(s.Limits, s.Used, s.Name, costApplies, ref input, ref breach, ref outputRoom);
            costApplies &= !s.CarvesCost;
        }

        if (!breach.Found.IsBreached && outputRoom >= wantedOutput)
        {
            return new Verdict(BudgetDecision.Allowed, wantedOutput, Reserve(innermost, price, input.Tokens, wantedOutput), null, null, null);
        }

        return Constrained(in demand, innermost, price, input.Tokens, outputRoom, in breach);
        static void Consider(BudgetLimits limits, BudgetUsage used, string budget, bool costApplies, ref PricedInput input, ref Breach breach, ref long outputRoom)
        {
            if (breach.Found.IsBreached)
            {
                return;
            }

            breach.Found = Ceilings.CheckInput(limits, used, ref input, costApplies);
            if (breach.Found.IsBreached)
            {
                breach.Budget = budget;
                return;
            }

            if (Ceilings.TightenOutput(limits, used, ref input, costApplies, ref outputRoom) is { } kind)
            {
                breach.OutputKind = kind;
                breach.OutputLimit = Ceilings.Limit(limits, kind)!.Value;
                breach.OutputUsed = Ceilings.Amount(used, kind);
                breach.OutputBudget = budget;
            }
        }
    }

    /// <summary>A call that does not fit as asked: clamped, shadowed or rejected; out of line, so a call that fits does not make room for a refusal.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Verdict Constrained(in Demand demand, BudgetScope? innermost, ModelPrice? price, long inputTokens, long outputRoom, in Breach breach)
    {
        long wantedOutput = demand.WantedOutput;
        bool canClamp = !breach.Found.IsBreached && demand.Action == OverBudgetAction.Clamp && outputRoom >= demand.MinimumClampedOutput;
        if (demand.Mode == EnforcementMode.Shadow)
        {
            return new Verdict(canClamp ? BudgetDecision.ShadowClamped : BudgetDecision.ShadowRejected, wantedOutput, Reserve(innermost, price, inputTokens, wantedOutput), breach.Found.Kind ?? breach.OutputKind, breach.Budget ?? breach.OutputBudget, null);
        }

        if (canClamp)
        {
            return new Verdict(BudgetDecision.Clamped, outputRoom, Reserve(innermost, price, inputTokens, outputRoom), breach.OutputKind, breach.OutputBudget, null);
        }

        CeilingBreach found = breach.Found;
        string budget = breach.Budget!;
        if (!found.IsBreached)
        {
            // Output was the binding limit: report the worst case the call asked for against it.
            BudgetUsage asked = new(inputTokens, wantedOutput, breach.OutputKind == BudgetLimitKind.Cost ? price?.GetWorstCaseCost(inputTokens, wantedOutput) ?? 0m : 0m);
            found = new CeilingBreach(breach.OutputKind, breach.OutputLimit, breach.OutputUsed, Ceilings.Amount(asked, breach.OutputKind!.Value));
            budget = breach.OutputBudget!;
        }

        var rejection = new BudgetExceededException(found.Kind!.Value, found.Limit, found.Used, found.Requested, budget, demand.Model.ModelId);
        return new Verdict(BudgetDecision.Rejected, 0, default, found.Kind, budget, rejection);
    }

    /// <summary>The scope's run cap a model call would pass: its step cap or its wall time.</summary>
    private static CeilingBreach RunCapBreach(BudgetScope scope)
    {
        if (scope.Limits.MaximumModelCalls is { } calls && scope.ModelCalls >= calls)
        {
            return new CeilingBreach(BudgetLimitKind.ModelCalls, calls, scope.ModelCalls, 1);
        }

        if (scope.Limits.MaximumDuration is { } duration && scope.Elapsed >= duration)
        {
            return new CeilingBreach(BudgetLimitKind.Duration, (decimal)duration.TotalSeconds, (decimal)scope.Elapsed.TotalSeconds, 0);
        }

        return default;
    }

    /// <summary>
    /// The most input tokens that could fit the request's ceilings and every scope of the chain with
    /// <paramref name="wantedOutput"/>, when <paramref name="estimate"/> is only a bound that counting could tighten;
    /// <see cref="long.MaxValue"/> otherwise, without reading any scope.
    /// </summary>
    public static long InputRoomIfBounded(in InputTokenEstimate estimate, BudgetLimits request, BudgetScope? scope, ModelProfile profile, long wantedOutput) =>
        estimate.Precision != EstimatePrecision.Exact && profile.Tokenizer.IsCounted ? InputRoom(request, scope, profile.Price, wantedOutput) : long.MaxValue;

    private static long InputRoom(BudgetLimits request, BudgetScope? scope, ModelPrice? price, long wantedOutput)
    {
        long room = Ceilings.InputRoom(request, default, price, wantedOutput);
        for (BudgetScope? s = scope; s is not null; s = s.Parent)
        {
            BudgetUsage used;
            lock (s.Sync)
            {
                used = s.Used;
            }

            room = Math.Min(room, Ceilings.InputRoom(s.Limits, used, price, wantedOutput));
        }

        return room;
    }

    // Without a scope nothing is held: the reservation exists only to be settled in scopes.
    private static BudgetUsage Reserve(BudgetScope? scope, ModelPrice? price, long input, long output) =>
        scope is null ? default : new(input, output, price?.GetWorstCaseCost(input, output) ?? 0m);

    private struct Breach
    {
        public CeilingBreach Found;
        public string? Budget;

        public BudgetLimitKind? OutputKind;
        public decimal OutputLimit;
        public decimal OutputUsed;
        public string? OutputBudget;
    }
}
