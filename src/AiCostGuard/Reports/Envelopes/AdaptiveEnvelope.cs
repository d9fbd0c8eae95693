namespace AiCostGuard;

/// <summary>Replays a ledger through an <see cref="AdaptiveEnvelopeOptions"/>: the ceiling of every key over time, and why it moved.</summary>
/// <remarks>
/// Records are replayed in time order, per key and period: the ceiling starts at the base; each successful outcome adds
/// the allowance, up to the cap, unless the review gate is closed (cost per success above the target), in which case
/// the ceiling holds until the cost per success is back at the target and then catches up with every success of the
/// period. Refused calls cost nothing and are left out. Thread-safe: it keeps no state.
/// </remarks>
public static class AdaptiveEnvelope
{
    /// <summary>Replays the records.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="outcomes">The outcome records.</param>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The steps, by key, then time.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The envelope is invalid; the message names every field at fault.</exception>
    public static IReadOnlyList<EnvelopeStep> Replay(IEnumerable<CostRecord> calls, IEnumerable<OutcomeRecord> outcomes, AdaptiveEnvelopeOptions envelope)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException("Invalid adaptive envelope: " + string.Join(" ", problems), nameof(envelope));
        }

        var events = calls.Where(c => c.Outcome != CallOutcome.NotSent)
            .Select(c => (c.Timestamp, Key: AttributionKey.Build(envelope.Dimensions, c.Attribution ?? CostAttribution.Empty), c.Cost, Success: false))
            .Concat(outcomes.Where(o => o.IsSuccess && (envelope.OutcomeName is null || o.Name == envelope.OutcomeName))
                .Select(o => (o.Timestamp, Key: AttributionKey.Build(envelope.Dimensions, o.Attribution ?? CostAttribution.Empty), Cost: 0m, Success: true)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ThenBy(e => e.Timestamp);
        var steps = new List<EnvelopeStep>();
        string? key = null;
        DateOnly period = default;
        decimal spent = 0m, ceiling = 0m;
        int successes = 0;
        bool closed = false;
        foreach ((DateTimeOffset time, string eventKey, decimal cost, bool success) in events)
        {
            DateOnly start = PeriodStart(envelope, DailySpendSeries.Day(time));
            if (eventKey != key || start != period)
            {
                (key, period, spent, successes, ceiling, closed) = (eventKey, start, 0m, 0, envelope.Base, false);
                steps.Add(new EnvelopeStep(envelope.Name!, key, time, EnvelopeChange.PeriodStart, ceiling, spent, successes, null));
            }

            spent += cost;
            successes += success ? 1 : 0;
            decimal? perSuccess = successes == 0 ? null : decimal.Round(spent / successes, 6);
            bool above = envelope.TargetCostPerSuccess is { } target && perSuccess > target;
            decimal earned = Math.Min(envelope.Cap, envelope.Base + (envelope.AllowancePerSuccess * successes));
            EnvelopeChange? change = null;
            if (above && !closed)
            {
                change = EnvelopeChange.GateClosed;
            }
            else if (!above && closed)
            {
                change = EnvelopeChange.GateOpened;
                ceiling = earned;
            }
            else if (!above && success && earned > ceiling)
            {
                change = earned == envelope.Cap ? EnvelopeChange.Capped : EnvelopeChange.Success;
                ceiling = earned;
            }

            closed = above;
            if (change is { } c)
            {
                steps.Add(new EnvelopeStep(envelope.Name!, key, time, c, ceiling, spent, successes, perSuccess));
            }
        }

        return steps;
    }

    private static DateOnly PeriodStart(AdaptiveEnvelopeOptions envelope, DateOnly day) => envelope.Period switch
    {
        BudgetPeriod.Daily => day,
        BudgetPeriod.Weekly => day.AddDays(-(((int)day.DayOfWeek - (int)envelope.FirstDayOfWeek + 7) % 7)),
        BudgetPeriod.Monthly => new DateOnly(day.Year, day.Month, 1),
        BudgetPeriod.Rolling => throw new ArgumentOutOfRangeException(nameof(envelope), "An envelope follows the calendar."),
        _ => throw new ArgumentOutOfRangeException(nameof(envelope), envelope.Period, "Not a budget period."),
    };
}
