using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>Everything the pipeline decided before a call is sent, carried to its settlement.</summary>
/// <param name="StartTimestamp">When admission began, on the pipeline's clock.</param>
/// <param name="StartTime">The same instant as a wall-clock time.</param>
/// <param name="Attribution">Who the call is for.</param>
/// <param name="Profile">The model it is sent to (after a degrade).</param>
/// <param name="RequestedModelId">The model the caller asked for, when a route or a degrade sent it elsewhere.</param>
/// <param name="Estimate">The input estimate, as counted.</param>
/// <param name="ReservedInput">The input reserved for it.</param>
/// <param name="OutputTokens">The output reserved for it: the output ceiling a stream is cut at.</param>
/// <param name="Scope">The innermost budget scope it is charged to.</param>
/// <param name="Verdict">The decision, with what the scopes reserved.</param>
/// <param name="Options">The options it is sent with (clamped, tools stripped, model replaced, as decided).</param>
/// <param name="EnforceOutputCeiling">Whether a stream is cut at <paramref name="OutputTokens"/>.</param>
/// <param name="IsStreaming">Whether it streams.</param>
/// <param name="Holds">What each gate holds for it, in gate order; <see langword="null"/> without gates.</param>
/// <param name="ShadowPolicy">The policy that would have denied it, in shadow mode; <see langword="null"/> otherwise.</param>
/// <param name="BudgetTier">The budget tier in force for it, for the ledger.</param>
/// <param name="Kind">Chat or embeddings.</param>
internal readonly record struct Admission(
    long StartTimestamp,
    DateTimeOffset StartTime,
    CostAttribution Attribution,
    ModelProfile Profile,
    string? RequestedModelId,
    InputTokenEstimate Estimate,
    long ReservedInput,
    long OutputTokens,
    BudgetScope? Scope,
    BudgetGate.Verdict Verdict,
    ChatOptions? Options,
    bool EnforceOutputCeiling,
    bool IsStreaming,
    GateHold[]? Holds = null,
    string? ShadowPolicy = null,
    string? BudgetTier = null,
    CallKind Kind = CallKind.Chat);
