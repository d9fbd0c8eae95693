namespace AiCostGuard;

/// <summary>What <see cref="CallDecider.Decide"/> decided for a call.</summary>
/// <param name="Profile">The model the call goes to.</param>
/// <param name="DegradedFrom">The model asked for, when the call was degraded to a cheaper one.</param>
/// <param name="Estimate">The input estimate.</param>
/// <param name="ReservedInput">The input reserved: the bound, or the calibrated estimate for a model without a tokenizer.</param>
/// <param name="Verdict">The decision and what the scopes reserved.</param>
/// <param name="IsClamped">Whether the scope gate lowered its output.</param>
/// <param name="StripsTools">Whether its tools are taken off.</param>
/// <param name="EnforceOutputCeiling">Whether a stream is cut at the reserved output.</param>
internal readonly record struct CallPlan(
    ModelProfile Profile,
    string? DegradedFrom,
    InputTokenEstimate Estimate,
    long ReservedInput,
    BudgetGate.Verdict Verdict,
    bool IsClamped,
    bool StripsTools,
    bool EnforceOutputCeiling);
