namespace AiCostGuard;

/// <summary>The settings types of each options type the core binds from configuration.</summary>
internal static class ConfigurationShapes
{
    /// <summary>Gets the shape of <see cref="CostGovernanceOptions"/>.</summary>
    public static ConfigurationShape CostGovernance { get; } = ConfigurationShape.Of<CostGovernanceOptions>()
        .With<BudgetLimits>()
        .With<ModelPrice>()
        .With<ServiceTierPrice>()
        .With<LongContextPrice>()
        .With<GpuPool>()
        .With<ContentBoundOptions>()
        .With<CostTelemetryOptions>()
        .With<PeriodBudgetOptions>()
        .With<BudgetTier>()
        .With<ModelPolicy>()
        .With<PolicyMatch>()
        .With<PolicyCallRate>()
        .With<ModelRoute>()
        .With<RouteCandidate>()
        .With<AdaptiveEnvelopeOptions>()
        .With<SpendVelocityRule>()
        .With<InputTokenCalibrator>();

    /// <summary>Gets the shape of <see cref="JsonLinesLedgerOptions"/>.</summary>
    public static ConfigurationShape JsonLinesLedger { get; } = ConfigurationShape.Of<JsonLinesLedgerOptions>();
}
