namespace AiCostGuard;

/// <content>What changes several scopes of a chain at once — tool-call counts and carves — under their locks, taken innermost first.</content>
public sealed partial class BudgetScope
{
    /// <summary>Counts a tool call if every scope's tool caps allow it; the first cap it would pass is returned otherwise.</summary>
    internal ToolCallVerdict TryStartToolCall(int indexInStep) => LockAndStartToolCall(this, this, indexInStep);

    private static ToolCallVerdict LockAndStartToolCall(BudgetScope innermost, BudgetScope current, int indexInStep)
    {
        lock (current._sync)
        {
            if (current.Parent is { } parent)
            {
                return LockAndStartToolCall(innermost, parent, indexInStep);
            }

            for (BudgetScope? s = innermost; s is not null; s = s.Parent)
            {
                if (s.Limits.MaximumParallelToolCalls is { } parallel && indexInStep >= parallel)
                {
                    innermost._refusedToolCalls++;
                    return new ToolCallVerdict(BudgetLimitKind.ParallelToolCalls, parallel, indexInStep, s.Name);
                }

                if (s.Limits.MaximumToolCalls is { } tools && s._toolCalls >= tools)
                {
                    innermost._refusedToolCalls++;
                    return new ToolCallVerdict(BudgetLimitKind.ToolCalls, tools, s._toolCalls, s.Name);
                }
            }

            for (BudgetScope? s = innermost; s is not null; s = s.Parent)
            {
                s._toolCalls++;
            }

            return default;
        }
    }

    private void AdmitChild(BudgetScope child, decimal? share)
    {
        lock (_sync)
        {
            if (Limits.MaximumChildScopes is { } children && _children >= children)
            {
                throw new BudgetExceededException(BudgetLimitKind.ChildScopes, children, _children, 1, Name, modelId: null);
            }

            _children++;
        }

        try
        {
            if (share is not null || child.Limits.MaximumCost is not null)
            {
                LockAndCarve(this, this, child, share);
            }
        }
        catch
        {
            lock (_sync)
            {
                _children--;
            }

            throw;
        }
    }

    // The carve is held in the parent and every ancestor up to (and including) the first that carves its own cost.
    private static void LockAndCarve(BudgetScope first, BudgetScope current, BudgetScope child, decimal? share)
    {
        lock (current._sync)
        {
            if (!current.CarvesCost && current.Parent is { } parent)
            {
                LockAndCarve(first, parent, child, share);
                return;
            }

            decimal? room = null;
            BudgetScope? tightest = null;
            for (BudgetScope s = first; ; s = s.Parent!)
            {
                if (s.Limits.MaximumCost is { } max && (room is null || max - s.Used.Cost < room))
                {
                    room = max - s.Used.Cost;
                    tightest = s;
                }

                if (ReferenceEquals(s, current))
                {
                    break;
                }
            }

            decimal carve;
            if (share is { } fraction)
            {
                if (room is null)
                {
                    throw new InvalidOperationException($"BudgetScope.BeginShare needs an enclosing cost ceiling to share, and scope '{first.Name}' has none.");
                }

                carve = Math.Max(0, room.Value) * fraction;
                if (carve <= 0)
                {
                    throw new BudgetExceededException(BudgetLimitKind.Cost, tightest!.Limits.MaximumCost!.Value, tightest.Used.Cost, 0, tightest.Name, modelId: null);
                }

                child.Limits.MaximumCost = carve;
            }
            else
            {
                carve = child.Limits.MaximumCost!.Value;
                if (room is { } left && carve > left)
                {
                    throw new BudgetExceededException(BudgetLimitKind.Cost, tightest!.Limits.MaximumCost!.Value, tightest.Used.Cost, carve, tightest.Name, modelId: null);
                }
            }

            child._carveRemaining = carve;
            for (BudgetScope s = first; ; s = s.Parent!)
            {
                s._reserved += new BudgetUsage(0, 0, carve);
                if (ReferenceEquals(s, current))
                {
                    break;
                }
            }
        }
    }
}
