using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// The steps every governed call goes through, in order: attribute → resolve the model and its price → read the run's
/// caps → estimate, check the scopes and decide → the other gates (spend velocity, period budgets) → send (the
/// middleware) → settle → record. Each step is a small type in the folder of its concept; this type only runs them.
/// </summary>
/// <remarks>
/// A further gate is added by implementing <see cref="ICallGate"/> and registering it in <see cref="Gates"/>. Admission
/// through the scopes is synchronous and allocation-free; the gates run only when configured. Thread-safe.
/// </remarks>
internal sealed partial class CallPipeline
{
    private readonly CallTelemetry _telemetry;
    private readonly AttributionPolicy _attribution;
    private readonly UnknownModelPolicy _unknownModels;
    private readonly RunLimitAction _runLimitAction;
    private readonly ConcurrencyLimitAction _concurrencyAction;
    private readonly ModelPolicies? _policies;
    private readonly CallClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CallPipeline(CostGovernanceOptions options, ChatClientMetadata? metadata, TimeProvider time, ILogger logger, Action<SpendVelocityEventArgs> onSpendVelocityExceeded, Action<BudgetTierEventArgs>? onTierReached = null)
    {
        PriceCatalog catalog = options.BuildCatalog();
        Models = new ModelResolver(catalog, metadata?.DefaultModelId, options.DefaultMaximumOutputTokens, options.ContentBounds);
        Calibrator = options.InputCalibrator ?? new InputTokenCalibrator();
        Decider = new CallDecider(options, Models, Calibrator);
        Router = ModelRouter.Create(options.Routes, Models, Decider.Reserved, logger);
        _telemetry = new CallTelemetry(options.Telemetry);
        _attribution = new AttributionPolicy(options.RequiredAttribution, options.UnattributedCalls);
        _unknownModels = options.UnknownModels;
        _runLimitAction = options.RunLimitAction;
        _concurrencyAction = options.ConcurrencyLimitAction;
        _policies = ModelPolicies.Create(options.Policies, options.PolicyDefault, options.Mode, catalog, metadata?.ProviderName, time);
        _clock = new CallClock(time);
        _time = time;
        _logger = logger;
        Recorder = new CallRecorder(options.Ledger ?? new InMemoryCostLedger(), _telemetry, time, metadata?.ProviderName, logger);
        Settlement = new CallSettlement(Models, Recorder, Calibrator, time, logger);

        var gates = new List<ICallGate>();
        if (options.SpendVelocity.Count > 0)
        {
            gates.Add(new SpendVelocityGate(options.SpendVelocity, time, options.Mode, logger, onSpendVelocityExceeded));
        }

        if (options.PeriodBudgets.Count > 0 || options.SpendVelocity.Count > 0)
        {
            Periods = new PeriodBudgetGate(options.PeriodBudgets, options.BudgetStore, time, options.Mode, logger, TierNotifier(onTierReached), new DegradeLadder(Models, options.DegradeModels));
            gates.Add(Periods);
        }

        if (options.AdaptiveEnvelopes.Count > 0)
        {
            var envelopes = new AdaptiveEnvelopeGate(options.AdaptiveEnvelopes, Periods?.Store ?? options.BudgetStore, time, options.Mode, logger, Recorder.Ledger.Record);
            OutcomeListeners.Add(Recorder.Ledger, envelopes);
            gates.Add(envelopes);
        }

        Gates = [.. gates];
    }

    public ModelResolver Models { get; }

    /// <summary>What the client has learned of the families it estimates, from the usage their providers report.</summary>
    public InputTokenCalibrator Calibrator { get; }

    public CallDecider Decider { get; }

    /// <summary>The routes' step; <see langword="null"/> without routes.</summary>
    public ModelRouter? Router { get; }

    public CallRecorder Recorder { get; }

    public CallSettlement Settlement { get; }

    /// <summary>The period budgets' gate, which owns the budget store; <see langword="null"/> without period budgets or velocity rules.</summary>
    public PeriodBudgetGate? Periods { get; }

    /// <summary>The gates after the scopes, in the order they run.</summary>
    public ICallGate[] Gates { get; }

    /// <summary>Gets whether a <see cref="CacheHitDetectingChatClient"/> (or embeddings marker) is below: calls then carry a <see cref="ProviderCallProbe"/>.</summary>
    public bool DetectsCacheHits { get; init; }

    /// <summary>The attribution step: the ambient attribution, propagated and checked against the required dimensions.</summary>
    public bool TryAttribute(out CostAttribution attribution, out AttributionDimensions missing)
    {
        attribution = _telemetry.Propagate(CostAttribution.Current);
        return _attribution.TryApply(ref attribution, out missing);
    }

    /// <summary>Gets what is done with a call to a model without a price.</summary>
    public UnknownModelPolicy UnknownModels => _unknownModels;

    /// <summary>Runs every step up to the scope gate's decision; the call is then reserved in its scopes, or refused and recorded.</summary>
    public Admission Admit(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        long start = _clock.GetTimestamp();
        string? modelId = Models.Requested(options);
        Recorder.Ledger.ThrowIfUnavailable();

        if (!TryAttribute(out CostAttribution attribution, out AttributionDimensions missing))
        {
            Recorder.Refuse(attribution, modelId, streaming, $"missing attribution: {missing}");
            throw new MissingAttributionException(missing, attribution);
        }

        string? routedFrom = null;
        if (Router is not null)
        {
            RouteChoice route = Router.Route(modelId, messages, options, attribution);
            if (route.Refusal is { } refusal)
            {
                Recorder.Refuse(attribution, modelId, streaming, refusal.Message);
                Log.Rejected(_logger, modelId, refusal.Message);
                throw refusal;
            }

            (routedFrom, modelId, options) = (route.RoutedFrom, route.ModelId, route.Options);
        }

        ModelProfile profile = Models.Resolve(modelId).ForServiceTier(ServiceTiers.FromOptions(options));
        if (profile.Price is null && _unknownModels == UnknownModelPolicy.Reject)
        {
            Recorder.Refuse(attribution, modelId, streaming, modelId is null ? "no model named" : "unpriced model");
            throw new UnknownModelException(modelId);
        }

        string? shadowPolicy = _policies is null ? null : Police(attribution, profile, streaming);

        BudgetScope? scope = BudgetScope.Current;
        RunTurn turn = RunTurn.Plan(scope, _runLimitAction, profile.ModelId);
        if (turn.Stop is { } stop)
        {
            Refuse(stop, streaming: false);
        }

        CallPlan plan = Decider.Decide(messages, options, profile, scope, turn, Decider.HasRequestCeiling || scope is not null || Gates.Length > 0);
        if (plan.Verdict.Decision == BudgetDecision.Rejected)
        {
            Reject(in plan, attribution, scope, options, streaming);
        }

        return new Admission(
            start,
            _clock.GetUtcAt(start),
            attribution,
            plan.Profile,
            routedFrom ?? plan.DegradedFrom,
            plan.Estimate,
            plan.ReservedInput,
            plan.Verdict.OutputTokens,
            scope,
            plan.Verdict,
            Decider.Options(options, in plan),
            plan.EnforceOutputCeiling,
            streaming,
            ShadowPolicy: shadowPolicy);
    }

    /// <summary>
    /// Runs the gates after the scopes. A refusal releases what the scopes and the gates before it hold, is recorded,
    /// and is thrown; otherwise returns what each gate holds, for <see cref="CallDecider.WithGates"/> to fold into the decision.
    /// </summary>
    /// <remarks>
    /// It returns the holds, not the admission: an awaiter holds its result inline, and an admission is large, so every
    /// caller's state machine (a stream's iterator lives on the heap) would carry a second copy of it.
    /// </remarks>
    public async ValueTask<GateHold[]> AdmitGatesAsync(Admission admission, CancellationToken cancellationToken)
    {
        var demand = new GateDemand(admission.Attribution, admission.Profile.ModelId, admission.ReservedInput, admission.OutputTokens, admission.Profile.Price,
            Decider.MayClamp(admission.Verdict.Decision), Decider.MinimumClampedOutputFor(admission.Profile));
        var holds = new GateHold[Gates.Length];
        int held = 0;
        try
        {
            for (; held < Gates.Length; held++)
            {
                holds[held] = await Gates[held].AdmitAsync(demand, cancellationToken);
            }
        }
        catch (Exception e)
        {
            // Not sent: the scopes and the gates that admitted it release the worst case in full.
            admission.Scope?.Settle(admission.Verdict.Reserved, default);
            for (int i = 0; i < held; i++)
            {
                await Gates[i].ReleaseAsync(holds[i]);
            }

            Recorder.Refuse(in admission, e);
            Log.Rejected(_logger, admission.Profile.ModelId, e.Message);
            throw;
        }

        return holds;
    }

    /// <summary>Settles the gates with what the call really used.</summary>
    public async ValueTask SettleGatesAsync(GateHold[] holds, BudgetUsage actual)
    {
        for (int i = 0; i < holds.Length; i++)
        {
            await Gates[i].SettleAsync(holds[i], actual);
        }
    }

    /// <summary>Takes the call's fan-out slots; synchronously, without a state machine, when nothing caps fan-out.</summary>
    public ValueTask<FanOutLease> AcquireFanOut(ChatOptions? options, bool streaming, CancellationToken cancellationToken)
    {
        ValueTask<FanOutLease> acquiring = FanOutLease.AcquireAsync(BudgetScope.Current, _concurrencyAction, options?.ModelId ?? Models.DefaultModelId, cancellationToken);
        return acquiring.IsCompletedSuccessfully ? acquiring : AwaitFanOut(acquiring, streaming);
    }

    /// <summary>Answers what a call will cost at most and what the budgets would decide now, without reserving anything.</summary>
    public CostQuote Quote(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        IReadOnlyList<CandidateQuote>? candidates = null;
        if (Router is not null)
        {
            RouteChoice route = Router.Quote(Models.Requested(options), messages, options, CostAttribution.Current, out candidates);
            options = route.Refusal is null ? route.Options : throw route.Refusal;
        }

        ModelProfile profile = Models.Resolve(Models.Requested(options));
        InputTokenEstimate estimate = profile.Tokenizer.Estimate(messages, options, exactAbove: 0);
        long wantedOutput = options?.MaxOutputTokens ?? profile.MaximumOutputTokens;
        BudgetGate.Verdict verdict = Decider.Evaluate(profile, estimate.Tokens, wantedOutput, BudgetScope.Current);
        return new CostQuote
        {
            ModelId = profile.ModelId,
            InputTokens = estimate.Tokens,
            Precision = estimate.Precision,
            MaximumOutputTokens = wantedOutput,
            WorstCaseCost = profile.Price?.GetWorstCaseCost(Decider.Reserved(in estimate, profile), wantedOutput),
            Decision = verdict.Decision,
            LimitKind = verdict.LimitKind,
            AllowedOutputTokens = verdict.OutputTokens,
            Price = profile.Price,
            Candidates = candidates,
        };
    }

    /// <summary>Runs one tool call of the loop inside the run's tool caps; a refused one is recorded, and the model is told.</summary>
    public ValueTask<object?> InvokeToolAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? invoker,
        CancellationToken cancellationToken)
    {
        if (BudgetScope.Current is { } scope && scope.TryStartToolCall(context.FunctionCallIndex) is { IsRefused: true } verdict)
        {
            string reason = $"tool call '{context.Function.Name}' not run: the {(verdict.Kind == BudgetLimitKind.ParallelToolCalls ? "per-step" : "run's")} tool-call cap of budget '{verdict.Budget}' is {verdict.Limit}";
            Recorder.Refuse(CostAttribution.Current, modelId: null, context.IsStreaming, reason, verdict.Kind, verdict.Budget);
            Log.ToolCallRefused(_logger, context.Function.Name, reason);

            // The model reads this as the tool's result, and can answer with what it has.
            return new ValueTask<object?>($"Not run: {reason}. Answer with the information you already have.");
        }

        return invoker is null ? context.Function.InvokeAsync(context.Arguments, cancellationToken) : invoker(context, cancellationToken);
    }

    private async ValueTask<FanOutLease> AwaitFanOut(ValueTask<FanOutLease> acquiring, bool streaming)
    {
        try
        {
            return await acquiring;
        }
        catch (BudgetExceededException e)
        {
            Recorder.Refuse(CostAttribution.Current, e.ModelId, streaming, e.Message, e.LimitKind, e.BudgetName);
            throw;
        }
    }

    /// <summary>Records and throws the scope gate's rejection; out of line, so an admitted call does not make room for its record.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Reject(in CallPlan plan, CostAttribution attribution, BudgetScope? scope, ChatOptions? options, bool streaming)
    {
        var rejected = new CostRecord
        {
            Timestamp = _time.GetUtcNow(),
            Attribution = attribution,
            ScopeName = scope?.Name,
            ScopeId = scope?.Id,
            ModelId = plan.Profile.ModelId,
            Provider = Recorder.Provider,
            IsStreaming = streaming,
            EstimatedInputTokens = plan.Estimate.Tokens,
            EstimatePrecision = plan.Estimate.Precision,
            CostSource = plan.Profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
            Decision = BudgetDecision.Rejected,
            LimitKind = plan.Verdict.LimitKind,
            LimitBudget = plan.Verdict.LimitBudget,
            MaximumOutputTokens = options?.MaxOutputTokens ?? plan.Profile.MaximumOutputTokens,
            Outcome = CallOutcome.NotSent,
        };
        Recorder.Record(ref rejected, scope);
        Log.Rejected(_logger, plan.Profile.ModelId, plan.Verdict.Rejection!.Message);
        throw plan.Verdict.Rejection;
    }

    /// <summary>Runs the policies: an enforced denial is recorded and thrown; returns the policy that shadow-denied the call, if any.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? Police(CostAttribution attribution, ModelProfile profile, bool streaming)
    {
        PolicyVerdict verdict = _policies!.Evaluate(attribution, profile);
        if (verdict.Policy is null || !verdict.IsEnforced)
        {
            return verdict.Policy;
        }

        CostRecord denied = CostRecord.Refusal(_time.GetUtcNow(), attribution, profile.ModelId, Recorder.Provider, streaming, verdict.Reason!, kind: null, budget: null)
            with { Decision = BudgetDecision.Denied, PolicyName = verdict.Policy };
        Recorder.Record(ref denied, BudgetScope.Current);
        Log.Denied(_logger, profile.ModelId, verdict.Policy, verdict.Reason!);
        throw new PolicyDeniedException(verdict.Policy, profile.ModelId, verdict.Reason!, verdict.RetryAt);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refuse(BudgetExceededException rejection, bool streaming)
    {
        Recorder.Refuse(CostAttribution.Current, rejection.ModelId, streaming, rejection.Message, rejection.LimitKind, rejection.BudgetName);
        Log.Rejected(_logger, rejection.ModelId, rejection.Message);
        throw rejection;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Model call to '{ModelId}' rejected by its budget: {Reason}")]
        public static partial void Rejected(ILogger logger, string? modelId, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Tool call '{Tool}' refused by its budget: {Reason}")]
        public static partial void ToolCallRefused(ILogger logger, string tool, string reason);

        [LoggerMessage(120, LogLevel.Warning, "Model call to '{ModelId}' denied by policy '{Policy}': {Reason}")]
        public static partial void Denied(ILogger logger, string? modelId, string policy, string reason);
    }
}
