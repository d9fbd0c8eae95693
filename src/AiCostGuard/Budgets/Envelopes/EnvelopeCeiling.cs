namespace AiCostGuard;

/// <summary>
/// The rule of an adaptive envelope for one key in one period: the ceiling, the spend and successes behind it, and
/// whether the review gate is closed. The replay (<c>AdaptiveEnvelope.Replay</c>) and the in-process gate
/// (<see cref="AdaptiveEnvelopeGate"/>) both move it, so they give the same ceilings for the same records.
/// </summary>
/// <remarks>
/// The ceiling starts at the base; each successful outcome adds the allowance, up to the cap, unless the review gate is
/// closed (cost per success above the target), in which case the ceiling holds until the cost per success is back at
/// the target and then catches up with every success of the period. It never falls within a period. Not thread-safe:
/// the gate guards each instance with a lock.
/// </remarks>
internal sealed class EnvelopeCeiling
{
    private readonly AdaptiveEnvelopeOptions _envelope;

    private EnvelopeCeiling(AdaptiveEnvelopeOptions envelope, string key, DateTimeOffset periodStart)
    {
        _envelope = envelope;
        Key = key;
        PeriodStart = periodStart;
        Ceiling = envelope.Base;
    }

    public string Key { get; }

    /// <summary>The start of the period this ceiling belongs to.</summary>
    public DateTimeOffset PeriodStart { get; }

    public decimal Ceiling { get; private set; }

    public decimal Spent { get; private set; }

    public int Successes { get; private set; }

    public bool IsGateClosed { get; private set; }

    /// <summary>Spent / successes to the micro-dollar, or <see langword="null"/> before the first success.</summary>
    public decimal? CostPerSuccess => Successes == 0 ? null : decimal.Round(Spent / Successes, 6);

    /// <summary>The period (UTC calendar day, week or month) that contains <paramref name="time"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Period(AdaptiveEnvelopeOptions envelope, DateTimeOffset time) =>
        PeriodCalendar.Calendar(envelope.Period, TimeZoneInfo.Utc, envelope.FirstDayOfWeek, time);

    /// <summary>Starts the period of <paramref name="key"/> that contains <paramref name="time"/> at the base, and the step that says so.</summary>
    public static EnvelopeCeiling Begin(AdaptiveEnvelopeOptions envelope, string key, DateTimeOffset time, out EnvelopeStep start)
    {
        var ceiling = new EnvelopeCeiling(envelope, key, Period(envelope, time).Start);
        start = ceiling.Step(time, EnvelopeChange.PeriodStart);
        return ceiling;
    }

    /// <summary>Whether <paramref name="time"/> falls in this ceiling's period.</summary>
    public bool Covers(DateTimeOffset time) => Period(_envelope, time).Start == PeriodStart;

    /// <summary>Books a call's cost, or a successful outcome; returns the step when the ceiling moved or the review gate opened or closed.</summary>
    public EnvelopeStep? Apply(DateTimeOffset time, decimal cost, bool success)
    {
        Spent += cost;
        Successes += success ? 1 : 0;
        decimal? perSuccess = CostPerSuccess;
        bool above = _envelope.TargetCostPerSuccess is { } target && perSuccess > target;
        decimal earned = Math.Min(_envelope.Cap, _envelope.Base + (_envelope.AllowancePerSuccess * Successes));
        EnvelopeChange? change = null;
        if (above && !IsGateClosed)
        {
            change = EnvelopeChange.GateClosed;
        }
        else if (!above && IsGateClosed)
        {
            change = EnvelopeChange.GateOpened;
            Ceiling = earned;
        }
        else if (!above && success && earned > Ceiling)
        {
            change = earned == _envelope.Cap ? EnvelopeChange.Capped : EnvelopeChange.Success;
            Ceiling = earned;
        }

        IsGateClosed = above;
        return change is { } c ? Step(time, c) : null;
    }

    private EnvelopeStep Step(DateTimeOffset time, EnvelopeChange change) =>
        new(_envelope.Name!, Key, time, change, Ceiling, Spent, Successes, CostPerSuccess);
}
