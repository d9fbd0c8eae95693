namespace AiCostGuard;

/// <summary>Why an adaptive envelope's ceiling moved, or stopped moving (<see cref="EnvelopeStep"/>).</summary>
public enum EnvelopeChange
{
    /// <summary>A period started: the ceiling is the base.</summary>
    PeriodStart,

    /// <summary>A successful outcome raised the ceiling by the allowance.</summary>
    Success,

    /// <summary>The ceiling reached the cap and grows no more this period.</summary>
    Capped,

    /// <summary>The cost per successful outcome rose above the target: the ceiling stops growing.</summary>
    GateClosed,

    /// <summary>The cost per successful outcome fell back to the target: the ceiling catches up with the successes.</summary>
    GateOpened,
}
