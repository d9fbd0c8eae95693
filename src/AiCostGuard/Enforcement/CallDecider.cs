using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Decides a call, once: allow, clamp, degrade to a cheaper model, make it a final turn, drop its tools, shadow or
/// reject — from its estimate, the scope gate's verdict, the run's turn and, after them, what the other gates found.
/// </summary>
/// <remarks>
/// The input estimate starts as a bound (counted text exact, new text bounded by its length) and is counted exactly
/// only when the bound does not fit what the ceilings leave. Degrade prefers a cheaper model with the whole output to a
/// clamp or a refusal on the model asked for. Thread-safe: it holds configuration only.
/// </remarks>
internal sealed class CallDecider(CostGovernanceOptions options, ModelResolver models, InputTokenCalibrator calibrator)
{
    private readonly BudgetLimits _request = options.RequestLimits.Clone();
    private readonly OverBudgetAction _overBudgetAction = options.OverBudgetAction;
    private readonly int _minimumClampedOutput = options.MinimumClampedOutputTokens;
    private readonly EnforcementMode _mode = options.Mode;
    private readonly RunLimitAction _runLimitAction = options.RunLimitAction;
    private readonly string[] _degradeModels = [.. options.DegradeModels];
    private readonly ReasoningClamp _reasoning = new(options.MinimumClampedReasoningOutputTokens, options.ClampedReasoningEffort);

    /// <summary>Gets the per-request ceilings.</summary>
    public BudgetLimits Request => _request;

    /// <summary>Gets the least output a clamp may leave a call to <paramref name="profile"/>: more for a model that reasons.</summary>
    public int MinimumClampedOutputFor(ModelProfile profile) => _reasoning.MinimumOutput(profile, _minimumClampedOutput);

    /// <summary>Gets whether calls without a per-request ceiling still meet one: any ceiling is set.</summary>
    public bool HasRequestCeiling { get; } = options.RequestLimits.HasAny;

    /// <summary>Estimates the call's input, checks its worst case at the scope gate and decides; reserves in the scopes unless rejected.</summary>
    public CallPlan Decide(IEnumerable<ChatMessage> messages, ChatOptions? options, ModelProfile profile, BudgetScope? scope, RunTurn turn, bool hasCeiling)
    {
        bool finalTurn = turn.IsFinal;
        long wantedOutput = options?.MaxOutputTokens ?? profile.MaximumOutputTokens;

        // Tool definitions are input only when they are sent.
        ChatOptions? counted = turn.OmitsTools ? null : options;
        InputTokenEstimate estimate = profile.Tokenizer.Estimate(messages, counted, exactAbove: long.MaxValue);
        if (hasCeiling && estimate.UpperBound > BudgetGate.InputRoomIfBounded(estimate, _request, scope, profile, wantedOutput))
        {
            Exact(ref estimate, messages, counted, profile);
        }

        string? degradedFrom = null;
        string? degradedBy = null;
        if (_runLimitAction == RunLimitAction.Degrade && _degradeModels.Length > 0)
        {
            degradedBy = Degrade(messages, counted, options, ref profile, ref estimate, ref wantedOutput, scope, finalTurn, out degradedFrom);
        }

        BudgetGate.Verdict verdict = BudgetGate.Admit(Demand(profile, Reserved(in estimate, profile), wantedOutput, finalTurn), scope);
        if (verdict.Decision == BudgetDecision.Rejected)
        {
            // The bound did not fit; the exact count may.
            AdmitExact(messages, counted, profile, scope, wantedOutput, finalTurn, ref estimate, ref verdict);
        }

        if (degradedFrom is not null)
        {
            verdict = verdict with { LimitKind = verdict.LimitKind ?? BudgetLimitKind.Cost, LimitBudget = verdict.LimitBudget ?? degradedBy };
        }

        if (verdict.Decision == BudgetDecision.Rejected && !finalTurn && _runLimitAction is RunLimitAction.SoftStop or RunLimitAction.Degrade
            && verdict.LimitKind is BudgetLimitKind.Cost or BudgetLimitKind.OutputTokens or BudgetLimitKind.TotalTokens)
        {
            FinalTurn(messages, profile, scope, wantedOutput, ref finalTurn, ref estimate, ref verdict);
        }

        bool clamped = verdict.Decision == BudgetDecision.Clamped;
        bool stripTools = (finalTurn || turn.DropsTools) && options?.Tools is { Count: > 0 };
        BudgetDecision decision = verdict.Decision == BudgetDecision.Rejected ? BudgetDecision.Rejected
            : degradedFrom is not null ? BudgetDecision.Degraded
            : finalTurn && (stripTools || verdict.Decision == BudgetDecision.Clamped) ? BudgetDecision.FinalTurn
            : turn.DropsTools && stripTools ? BudgetDecision.ToolsDropped
            : verdict.Decision;
        return new CallPlan(profile, degradedFrom, estimate, Reserved(in estimate, profile), verdict with { Decision = decision }, clamped, stripTools, hasCeiling && _mode == EnforcementMode.Enforce);
    }

    /// <summary>Checks a call whose output is fixed (an embeddings call has none) at the scope gate, and reserves it unless rejected.</summary>
    public BudgetGate.Verdict Admit(ModelProfile profile, long inputTokens, long wantedOutput, BudgetScope? scope) =>
        BudgetGate.Admit(Demand(profile, inputTokens, wantedOutput, finalTurn: false), scope);

    /// <summary>Evaluates a call as <see cref="Decide"/> would at the scope gate, without reserving anything.</summary>
    public BudgetGate.Verdict Evaluate(ModelProfile profile, long inputTokens, long wantedOutput, BudgetScope? scope) =>
        BudgetGate.Evaluate(new BudgetGate.Demand(_request, profile, inputTokens, wantedOutput, _overBudgetAction, MinimumClampedOutputFor(profile), _mode), scope);

    /// <summary>The options the call is sent with: clamped, without tools, on the degraded model, as decided; the caller's own instance when nothing changes.</summary>
    public ChatOptions? Options(ChatOptions? options, in CallPlan plan)
    {
        bool clamped = plan.IsClamped;
        if (!clamped && !plan.StripsTools && plan.DegradedFrom is null)
        {
            return options;
        }

        // Clone rather than build new options: callers such as Semantic Kernel pass ChatOptions subclasses.
        ChatOptions sent = options?.Clone() ?? new ChatOptions();
        if (clamped)
        {
            sent.MaxOutputTokens = checked((int)Math.Min(int.MaxValue, plan.Verdict.OutputTokens));
            _reasoning.Lower(sent, plan.Profile);
        }

        if (plan.StripsTools)
        {
            sent.Tools = null;
            sent.ToolMode = ChatToolMode.None;
        }

        if (plan.DegradedFrom is not null)
        {
            sent.ModelId = plan.Profile.ModelId;
        }

        return sent;
    }

    /// <summary>Folds what the gates after the scopes found into the decision: a shadow breach, or the output they could pay.</summary>
    public Admission WithGates(Admission admission, GateHold[] holds)
    {
        foreach (GateHold hold in holds)
        {
            if (hold.Tier is { } tier)
            {
                admission = BudgetTierActions.Apply(admission, tier, hold.DegradedTo);
            }

            if (hold.ShadowBreach is { } breach && admission.Verdict.Decision is not BudgetDecision.ShadowRejected)
            {
                var refusal = breach as BudgetExceededException;
                admission = admission with
                {
                    Verdict = admission.Verdict with
                    {
                        Decision = BudgetDecision.ShadowRejected,
                        LimitKind = refusal?.LimitKind,
                        LimitBudget = refusal?.BudgetName ?? (breach as SpendVelocityExceededException)?.RuleName,
                    },
                };
            }

            if (hold.ClampedOutput is { } clamped)
            {
                // The gate pays for less output than the call asked: send it with that much, and cut a stream there.
                ChatOptions sent = admission.Options?.Clone() ?? new ChatOptions();
                sent.MaxOutputTokens = checked((int)Math.Min(int.MaxValue, clamped));
                _reasoning.Lower(sent, admission.Profile);
                admission = admission with
                {
                    Options = sent,
                    OutputTokens = clamped,
                    EnforceOutputCeiling = true,
                    Verdict = admission.Verdict with
                    {
                        Decision = admission.Verdict.Decision == BudgetDecision.Allowed ? BudgetDecision.Clamped : admission.Verdict.Decision,
                        OutputTokens = clamped,
                        LimitKind = hold.ClampKind,
                        LimitBudget = hold.ClampBudget,
                    },
                };
            }
        }

        return admission with { Holds = holds };
    }

    /// <summary>Whether a gate after the scopes may clamp the call: by policy, or because it is a final turn.</summary>
    public bool MayClamp(BudgetDecision decision) => _overBudgetAction == OverBudgetAction.Clamp || decision == BudgetDecision.FinalTurn;

    /// <summary>
    /// The input to reserve for <paramref name="estimate"/>: its bound for a counted family; for an estimated one, the
    /// calibrator's upper bound at its quantile, so a ceiling holds on the input the provider will report.
    /// </summary>
    public long Reserved(in InputTokenEstimate estimate, ModelProfile profile) =>
        profile.Tokenizer.IsCounted ? estimate.UpperBound : calibrator.Apply(profile.ModelId, estimate).UpperBound;

    /// <summary>
    /// Moves the call down the degrade ladder when its worst case does not fit the model asked for but the whole output
    /// fits a cheaper one; returns the budget that made it, with the model it left in <paramref name="degradedFrom"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? Degrade(IEnumerable<ChatMessage> messages, ChatOptions? counted, ChatOptions? options, ref ModelProfile profile, ref InputTokenEstimate estimate, ref long wantedOutput, BudgetScope? scope, bool finalTurn, out string? degradedFrom)
    {
        degradedFrom = null;
        BudgetGate.Verdict preview = BudgetGate.Evaluate(Demand(profile, Reserved(in estimate, profile), wantedOutput, finalTurn), scope);
        if (preview.Decision != BudgetDecision.Allowed && Exact(ref estimate, messages, counted, profile))
        {
            preview = BudgetGate.Evaluate(Demand(profile, Reserved(in estimate, profile), wantedOutput, finalTurn), scope);
        }

        if (preview.Decision == BudgetDecision.Allowed || preview.LimitKind != BudgetLimitKind.Cost
            || Cheaper(messages, counted, options, profile, scope) is not { } cheaper)
        {
            return null;
        }

        degradedFrom = profile.ModelId;
        (profile, estimate, wantedOutput) = cheaper;
        return preview.LimitBudget;
    }

    /// <summary>Admits a call the scope gate rejected on its bound again on its exact count, where counting applies.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AdmitExact(IEnumerable<ChatMessage> messages, ChatOptions? counted, ModelProfile profile, BudgetScope? scope, long wantedOutput, bool finalTurn, ref InputTokenEstimate estimate, ref BudgetGate.Verdict verdict)
    {
        if (Exact(ref estimate, messages, counted, profile))
        {
            verdict = BudgetGate.Admit(Demand(profile, Reserved(in estimate, profile), wantedOutput, finalTurn), scope);
        }
    }

    /// <summary>Nothing fits the call as asked: the run ends with an answer, without tools, rather than an exception, when that fits.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FinalTurn(IEnumerable<ChatMessage> messages, ModelProfile profile, BudgetScope? scope, long wantedOutput, ref bool finalTurn, ref InputTokenEstimate estimate, ref BudgetGate.Verdict verdict)
    {
        InputTokenEstimate toolless = profile.Tokenizer.Estimate(messages, null, exactAbove: 0);
        BudgetGate.Verdict last = BudgetGate.Admit(Demand(profile, Reserved(in toolless, profile), wantedOutput, finalTurn: true), scope);
        if (last.Decision != BudgetDecision.Rejected)
        {
            (finalTurn, verdict, estimate) = (true, last, toolless);
        }
    }

    /// <summary>Counts the input exactly when it was only bounded and the model has a tokenizer; whether it did.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Exact(ref InputTokenEstimate estimate, IEnumerable<ChatMessage> messages, ChatOptions? counted, ModelProfile profile)
    {
        if (estimate.Precision == EstimatePrecision.Exact || !profile.Tokenizer.IsCounted)
        {
            return false;
        }

        estimate = profile.Tokenizer.Estimate(messages, counted, exactAbove: 0);
        return true;
    }

    /// <summary>The first model of the degrade ladder below <paramref name="profile"/>'s that pays the call's whole output.</summary>
    private (ModelProfile Profile, InputTokenEstimate Estimate, long WantedOutput)? Cheaper(IEnumerable<ChatMessage> messages, ChatOptions? counted, ChatOptions? options, ModelProfile profile, BudgetScope? scope)
    {
        int at = profile.ModelId is null ? -1 : Array.FindIndex(_degradeModels, m => string.Equals(m, profile.ModelId, StringComparison.OrdinalIgnoreCase));
        for (int i = at + 1; i < _degradeModels.Length; i++)
        {
            ModelProfile cheaper = models.Resolve(_degradeModels[i]);
            InputTokenEstimate estimate = cheaper.Tokenizer.Estimate(messages, counted, exactAbove: 0);
            long output = options?.MaxOutputTokens ?? cheaper.MaximumOutputTokens;
            BudgetGate.Demand whole = Demand(cheaper, Reserved(in estimate, cheaper), output, finalTurn: false) with { Action = OverBudgetAction.Reject };
            if (BudgetGate.Evaluate(whole, scope).Decision == BudgetDecision.Allowed)
            {
                return (cheaper, estimate, output);
            }
        }

        return null;
    }

    private BudgetGate.Demand Demand(ModelProfile profile, long input, long wantedOutput, bool finalTurn) =>
        new(_request, profile, input, wantedOutput, finalTurn ? OverBudgetAction.Clamp : _overBudgetAction, MinimumClampedOutputFor(profile), _mode);
}
