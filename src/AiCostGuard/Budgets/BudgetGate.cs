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
        ModelProfile model = demand.Model;
        long input = demand.InputTokens;
        long wantedOutput = demand.WantedOutput;
        ModelPrice? price = model.Price;
        decimal? inputCostOnce = null;

        // The input alone must fit: no clamp of the output can save a call whose prompt is over a ceiling.
        Breach breach = default;
        long outputRoom = wantedOutput;
        Consider(demand.Request, default, RequestBudgetName, costApplies: true, ref breach, ref outputRoom);
        bool costApplies = true;
        for (BudgetScope? s = innermost; s is not null; s = s.Parent)
        {
            CheckRunCaps(s, ref breach);
            Consider(s.Limits, s.Used, s.Name, costApplies, ref breach, ref outputRoom);
            costApplies &= !s.CarvesCost;
        }

        if (breach.Kind is null && outputRoom >= wantedOutput)
        {
            return new Verdict(BudgetDecision.Allowed, wantedOutput, Reserve(innermost, price, input, wantedOutput), null, null, null);
        }

        bool canClamp = breach.Kind is null && demand.Action == OverBudgetAction.Clamp && outputRoom >= demand.MinimumClampedOutput;
        if (demand.Mode == EnforcementMode.Shadow)
        {
            return new Verdict(canClamp ? BudgetDecision.ShadowClamped : BudgetDecision.ShadowRejected, wantedOutput, Reserve(innermost, price, input, wantedOutput), breach.Kind ?? breach.OutputKind, breach.Budget ?? breach.OutputBudget, null);
        }

        if (canClamp)
        {
            return new Verdict(BudgetDecision.Clamped, outputRoom, Reserve(innermost, price, input, outputRoom), breach.OutputKind, breach.OutputBudget, null);
        }

        if (breach.Kind is null)
        {
            // Output was the binding limit: report the worst case the call asked for against it.
            breach.Kind = breach.OutputKind;
            breach.Limit = breach.OutputLimit;
            breach.Spent = breach.OutputSpent;
            breach.Budget = breach.OutputBudget;
            breach.Requested = breach.OutputKind switch
            {
                BudgetLimitKind.OutputTokens => wantedOutput,
                BudgetLimitKind.TotalTokens => input + wantedOutput,
                _ => price?.GetWorstCaseCost(input, wantedOutput) ?? 0m,
            };
        }

        var rejection = new BudgetExceededException(breach.Kind!.Value, breach.Limit, breach.Spent, breach.Requested, breach.Budget!, model.ModelId);
        return new Verdict(BudgetDecision.Rejected, 0, default, breach.Kind, breach.Budget, rejection);

        void Consider(BudgetLimits limits, BudgetUsage used, string budget, bool costApplies, ref Breach breach, ref long outputRoom)
        {
            if (breach.Kind is not null)
            {
                return;
            }

            if (limits.MaximumInputTokens is { } maxInput && used.InputTokens + input > maxInput)
            {
                breach = new Breach { Kind = BudgetLimitKind.InputTokens, Limit = maxInput, Spent = used.InputTokens, Requested = input, Budget = budget };
                return;
            }

            if (limits.MaximumTotalTokens is { } maxTotal && used.TotalTokens + input > maxTotal)
            {
                breach = new Breach { Kind = BudgetLimitKind.TotalTokens, Limit = maxTotal, Spent = used.TotalTokens, Requested = input, Budget = budget };
                return;
            }

            if (costApplies && price is not null && limits.MaximumCost is { } maxCost && used.Cost + InputCost() > maxCost)
            {
                breach = new Breach { Kind = BudgetLimitKind.Cost, Limit = maxCost, Spent = used.Cost, Requested = InputCost(), Budget = budget };
                return;
            }

            if (limits.MaximumOutputTokens is { } maxOutput)
            {
                Tighten(ref breach, ref outputRoom, maxOutput - used.OutputTokens, BudgetLimitKind.OutputTokens, maxOutput, used.OutputTokens, budget);
            }

            if (limits.MaximumTotalTokens is { } total)
            {
                Tighten(ref breach, ref outputRoom, total - used.TotalTokens - input, BudgetLimitKind.TotalTokens, total, used.TotalTokens, budget);
            }

            if (costApplies && price is not null && limits.MaximumCost is { } cost)
            {
                Tighten(ref breach, ref outputRoom, price.OutputTokensAffordable(cost - used.Cost - InputCost(), input), BudgetLimitKind.Cost, cost, used.Cost, budget);
            }
        }

        // Priced only when a cost ceiling applies: most calls have none.
        decimal InputCost() => inputCostOnce ??= price!.GetWorstCaseCost(input, 0);

        static void CheckRunCaps(BudgetScope scope, ref Breach breach)
        {
            if (breach.Kind is not null)
            {
                return;
            }

            if (scope.Limits.MaximumModelCalls is { } calls && scope.ModelCalls >= calls)
            {
                breach = new Breach { Kind = BudgetLimitKind.ModelCalls, Limit = calls, Spent = scope.ModelCalls, Requested = 1, Budget = scope.Name };
            }
            else if (scope.Limits.MaximumDuration is { } duration && scope.Elapsed >= duration)
            {
                breach = new Breach { Kind = BudgetLimitKind.Duration, Limit = (decimal)duration.TotalSeconds, Spent = (decimal)scope.Elapsed.TotalSeconds, Requested = 0, Budget = scope.Name };
            }
        }

        static void Tighten(ref Breach breach, ref long outputRoom, long room, BudgetLimitKind kind, decimal limit, decimal spent, string budget)
        {
            room = Math.Max(0, room);
            if (room < outputRoom)
            {
                outputRoom = room;
                breach.OutputKind = kind;
                breach.OutputLimit = limit;
                breach.OutputSpent = spent;
                breach.OutputBudget = budget;
            }
        }
    }

    /// <summary>
    /// The most output tokens, up to <paramref name="wanted"/>, that a call of <paramref name="inputTokens"/> can be given
    /// within <paramref name="limits"/> beside <paramref name="used"/>; negative when its input alone does not fit.
    /// </summary>
    internal static long OutputRoom(BudgetLimits limits, BudgetUsage used, ModelPrice? price, long inputTokens, long wanted)
    {
        if (limits.MaximumInputTokens is { } maxInput && used.InputTokens + inputTokens > maxInput)
        {
            return -1;
        }

        long room = wanted;
        if (limits.MaximumOutputTokens is { } maxOutput)
        {
            room = Math.Min(room, maxOutput - used.OutputTokens);
        }

        if (limits.MaximumTotalTokens is { } maxTotal)
        {
            room = Math.Min(room, maxTotal - used.TotalTokens - inputTokens);
        }

        if (price is not null && limits.MaximumCost is { } maxCost)
        {
            decimal left = maxCost - used.Cost - price.GetWorstCaseCost(inputTokens, 0);
            room = left < 0 ? -1 : Math.Min(room, price.OutputTokensAffordable(left, inputTokens));
        }

        return room;
    }

    // Without a scope nothing is held: the reservation exists only to be settled in scopes.
    private static BudgetUsage Reserve(BudgetScope? scope, ModelPrice? price, long input, long output) =>
        scope is null ? default : new(input, output, price?.GetWorstCaseCost(input, output) ?? 0m);

    private struct Breach
    {
        public BudgetLimitKind? Kind;
        public decimal Limit;
        public decimal Spent;
        public decimal Requested;
        public string? Budget;

        public BudgetLimitKind? OutputKind;
        public decimal OutputLimit;
        public decimal OutputSpent;
        public string? OutputBudget;
    }
}
