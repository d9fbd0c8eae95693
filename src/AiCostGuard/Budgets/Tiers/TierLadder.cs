using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// The tiers of one period budget, in ascending order: finds how many a window's spend reached, notifies each once
/// per window, and answers what the reached tiers do to a call.
/// </summary>
/// <remarks>
/// What has been notified is kept per process, one small entry per attribution key (the store keeps one per key too):
/// processes sharing a store each notify once per window. A calendar window starts afresh when it ends; a rolling
/// window re-arms a tier when its spend falls below it. Thread-safe: each key's marks change by compare-and-swap.
/// </remarks>
internal sealed class TierLadder
{
    private readonly BudgetTier[] _tiers;
    private readonly decimal[] _shares;
    private readonly TierVerdict?[] _enforced;
    private readonly TierVerdict?[] _shadow;
    private readonly bool _rolling;
    private readonly ConcurrentDictionary<string, Marks> _marks = new(StringComparer.Ordinal);

    public TierLadder(string budgetName, IEnumerable<BudgetTier> tiers, bool rolling)
    {
        _tiers = [.. tiers.Select(t => new BudgetTier { Percent = t.Percent, Action = t.Action, ReasoningEffort = t.ReasoningEffort }).OrderBy(t => t.Percent)];
        _shares = [.. _tiers.Select(t => (decimal)t.Percent / 100m)];
        _rolling = rolling;
        BudgetName = budgetName;
        _enforced = new TierVerdict?[_tiers.Length + 1];
        _shadow = new TierVerdict?[_tiers.Length + 1];
        for (int reached = 1; reached <= _tiers.Length; reached++)
        {
            _enforced[reached] = Verdict(reached, enforced: true);
            _shadow[reached] = Verdict(reached, enforced: false);
        }
    }

    public string BudgetName { get; }

    /// <summary>Gets the tier at <paramref name="index"/>, in ascending order.</summary>
    public BudgetTier this[int index] => _tiers[index];

    /// <summary>How many tiers <paramref name="committed"/> reached in a window with <paramref name="limits"/>, and the share it spent.</summary>
    public int Reached(BudgetUsage committed, BudgetLimits limits, out decimal share, out BudgetLimitKind kind)
    {
        share = 0m;
        kind = BudgetLimitKind.Cost;
        Nearer(ref share, ref kind, committed.Cost, limits.MaximumCost, BudgetLimitKind.Cost);
        Nearer(ref share, ref kind, committed.InputTokens, limits.MaximumInputTokens, BudgetLimitKind.InputTokens);
        Nearer(ref share, ref kind, committed.OutputTokens, limits.MaximumOutputTokens, BudgetLimitKind.OutputTokens);
        Nearer(ref share, ref kind, committed.TotalTokens, limits.MaximumTotalTokens, BudgetLimitKind.TotalTokens);
        int reached = 0;
        while (reached < _shares.Length && _shares[reached] <= share)
        {
            reached++;
        }

        return reached;
    }

    /// <summary>
    /// Marks the first <paramref name="reached"/> tiers as reached in <paramref name="window"/>; returns a bit for each
    /// tier reached now and not before in this window — the ones to notify, by exactly one caller.
    /// </summary>
    public int Mark(in BudgetWindow window, int reached)
    {
        int reachedBits = (1 << reached) - 1;
        while (true)
        {
            if (!_marks.TryGetValue(window.Key, out Marks? marks))
            {
                if (reachedBits == 0)
                {
                    // Nothing to remember: a key below every tier costs no entry.
                    return 0;
                }

                marks = _marks.GetOrAdd(window.Key, static (_, start) => new Marks(start), window.Start);
            }

            if (!_rolling && marks.Start != window.Start)
            {
                // A new calendar window: what the last one notified is forgotten.
                _marks.TryUpdate(window.Key, new Marks(window.Start), marks);
                continue;
            }

            int before = Volatile.Read(ref marks.Fired);
            int after = _rolling ? reachedBits : before | reachedBits;
            if (after == before)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref marks.Fired, after, before) == before)
            {
                return after & ~before;
            }
        }
    }

    /// <summary>What the first <paramref name="reached"/> tiers do to a call; <see langword="null"/> when none is reached.</summary>
    public TierVerdict? Verdict(int reached, EnforcementMode mode) => mode == EnforcementMode.Shadow ? _shadow[reached] : _enforced[reached];

    private static void Nearer(ref decimal share, ref BudgetLimitKind kind, decimal used, decimal? limit, BudgetLimitKind of)
    {
        if (limit is not { } l)
        {
            return;
        }

        decimal s = l > 0m ? used / l : used > 0m ? decimal.MaxValue : 0m;
        if (s > share)
        {
            (share, kind) = (s, of);
        }
    }

    private TierVerdict Verdict(int reached, bool enforced)
    {
        ReasoningEffort? effort = null;
        bool degrades = false, dropsTools = false;
        BudgetTier? refusing = null;
        int named = 0;
        int strongest = -1;
        for (int i = 0; i < reached; i++)
        {
            BudgetTier tier = _tiers[i];
            switch (tier.Action)
            {
                case BudgetTierAction.Notify:
                    break;
                case BudgetTierAction.LowerReasoningEffort:
                    effort = effort is { } e ? ReasoningEfforts.Lower(e, tier.ReasoningEffort) : tier.ReasoningEffort;
                    break;
                case BudgetTierAction.Degrade:
                    degrades = true;
                    break;
                case BudgetTierAction.DropTools:
                    dropsTools = true;
                    break;
                case BudgetTierAction.Refuse:
                    refusing ??= tier;
                    break;
                default:
                    throw new InvalidOperationException($"Budget tier action '{tier.Action}' has no meaning.");
            }

            // The ledger names the highest tier whose action is the strongest: a later notify-only tier is still news.
            int strength = Strength(tier.Action);
            if (strength >= strongest)
            {
                (strongest, named) = (strength, i);
            }
        }

        return new TierVerdict(_tiers[named].NameIn(BudgetName), BudgetName, enforced ? effort : null, enforced && degrades, enforced && dropsTools, refusing is not null, refusing, enforced);
    }

    private static int Strength(BudgetTierAction action) => action switch
    {
        BudgetTierAction.Notify => 0,
        BudgetTierAction.LowerReasoningEffort => 1,
        BudgetTierAction.DropTools => 2,
        BudgetTierAction.Degrade => 3,
        BudgetTierAction.Refuse => 4,
        _ => throw new InvalidOperationException($"Budget tier action '{action}' has no meaning."),
    };

    /// <summary>Which tiers a key's window has notified.</summary>
    private sealed class Marks(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public int Fired;
    }
}
