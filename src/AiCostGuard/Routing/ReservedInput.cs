namespace AiCostGuard;

/// <summary>The input a budget reserves for <paramref name="estimate"/> on <paramref name="profile"/>: the rule the call decider applies, so a route weighs a candidate as the budget will.</summary>
internal delegate long ReservedInput(in InputTokenEstimate estimate, ModelProfile profile);
