using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiCostGuard;

/// <summary>
/// A delegating chat client that governs the cost of every call: it attributes the call, estimates its input tokens,
/// prices and reserves its worst case against the per-request ceilings and every enclosing <see cref="BudgetScope"/>
/// before sending, then commits the provider-reported usage and records the call in the ledger.
/// </summary>
/// <remarks>
/// <para>
/// Place it with <c>UseCostGovernance()</c>. Inside <c>UseFunctionInvocation()</c> it sees — and budgets — every model
/// call of a tool loop; outside, one call per user request. Inside <c>UseOpenTelemetry()</c> it runs on that call's span.
/// </para>
/// <para>
/// Streaming responses are counted as they arrive and cut at the ceiling the reservation was made for; usage
/// reported in the stream is reconciled, and a stream that is cut, cancelled, abandoned or fails is still charged.
/// </para>
/// <para>This type is thread-safe: one instance serves any number of concurrent calls.</para>
/// </remarks>
public sealed partial class CostGovernanceChatClient : DelegatingChatClient
{
    private const int MaximumProfiles = 1024;

    private readonly BudgetLimits _requestLimits;
    private readonly OverBudgetAction _overBudgetAction;
    private readonly int _minimumClampedOutput;
    private readonly EnforcementMode _mode;
    private readonly AttributionDimensions _requiredAttribution;
    private readonly UnattributedCallPolicy _unattributedCalls;
    private readonly UnknownModelPolicy _unknownModels;
    private readonly int _defaultMaximumOutput;
    private readonly RunLimitAction _runLimitAction;
    private readonly string[] _degradeModels;
    private readonly ConcurrencyLimitAction _concurrencyAction;
    private readonly bool _hasRequestCeiling;
    private readonly string? _defaultModelId;
    private readonly string? _provider;
    private readonly TimeProvider _time;
    private readonly CallClock _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ModelProfile> _profiles = new(StringComparer.Ordinal);
    private readonly ModelProfile _noModel;
    private readonly CallTelemetry _telemetry;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to govern.</param>
    /// <param name="options">The options; validated here and copied. <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for timestamps and durations; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    public CostGovernanceChatClient(IChatClient innerClient, CostGovernanceOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerClient)
    {
        options ??= new CostGovernanceOptions();
        options.ThrowIfInvalid();

        _requestLimits = options.RequestLimits.Clone();
        _hasRequestCeiling = _requestLimits.HasAny;
        _overBudgetAction = options.OverBudgetAction;
        _minimumClampedOutput = options.MinimumClampedOutputTokens;
        _mode = options.Mode;
        _requiredAttribution = options.RequiredAttribution;
        _unattributedCalls = options.UnattributedCalls;
        _unknownModels = options.UnknownModels;
        _defaultMaximumOutput = options.DefaultMaximumOutputTokens;
        _runLimitAction = options.RunLimitAction;
        _degradeModels = [.. options.DegradeModels];
        _concurrencyAction = options.ConcurrencyLimitAction;
        Catalog = (options.Catalog ?? PriceCatalog.Default).WithOverrides(options.Prices).WithAliases(options.ModelAliases);
        string[] unpricedLadder = [.. _degradeModels.Where(m => !Catalog.TryGetPrice(m, out _))];
        if (unpricedLadder.Length > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                CostGovernanceOptions.SectionName,
                typeof(CostGovernanceOptions),
                [$"{nameof(CostGovernanceOptions.DegradeModels)}: {string.Join(", ", unpricedLadder)} has no price in the catalog, so a run could not be degraded to it."]);
        }

        if (innerClient.GetService(typeof(FunctionInvokingChatClient)) is not null)
        {
            // Outside the tool loop the middleware would see one call per request with summed usage: it could neither
            // budget each model call nor stop a loop in time.
            throw new InvalidOperationException(
                "UseCostGovernance() is outside UseFunctionInvocation() in this pipeline. Place it after (inside) the tool loop — " +
                "builder.UseFunctionInvocation().UseCostGovernance() — so that every model call of the loop is budgeted.");
        }
        Ledger = options.Ledger ?? new InMemoryCostLedger();
        _time = timeProvider ?? TimeProvider.System;
        _clock = new CallClock(_time);
        _logger = logger ?? NullLogger.Instance;

        var metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _defaultModelId = metadata?.DefaultModelId;
        _provider = metadata?.ProviderName;
        _noModel = new ModelProfile(null, null, null, _defaultMaximumOutput);
        _telemetry = new CallTelemetry(options.Telemetry);
        _periods = PeriodBudgetGate.Create(options, _time, _logger, OnSpendVelocityExceeded);
    }

    /// <summary>Gets the ledger every call is recorded in.</summary>
    public ICostLedger Ledger { get; }

    /// <summary>Gets the prices in force: the configured catalog with the configured overrides.</summary>
    public PriceCatalog Catalog { get; }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        FanOutLease lease = await AcquireFanOut(options, streaming: false, cancellationToken);
        try
        {
            Admission admission = Admit(messages, options, streaming: false);
            PeriodHold? hold = null;
            if (_periods is not null)
            {
                (admission, hold) = await AdmitPeriodsAsync(admission, cancellationToken);
            }

            ChatResponse response;
            try
            {
                response = await base.GetResponseAsync(messages, admission.Options, cancellationToken);
            }
            catch (Exception e)
            {
                BudgetUsage failed = Settle(in admission, messages, Ended(e, cancellationToken), reported: null, response: null, streamedOutput: 0, cut: null);
                await SettlePeriodsAsync(hold, failed);
                throw;
            }

            BudgetUsage actual = Settle(in admission, messages, CallOutcome.Succeeded, response.Usage, response, streamedOutput: 0, cut: null);
            await SettlePeriodsAsync(hold, actual);
            return response;
        }
        finally
        {
            lease.Release();
        }
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Stream(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FanOutLease lease = await AcquireFanOut(options, streaming: true, cancellationToken);
        Admission admission;
        PeriodHold? hold = null;
        try
        {
            admission = Admit(messages, options, streaming: true);
            if (_periods is not null)
            {
                (admission, hold) = await AdmitPeriodsAsync(admission, cancellationToken);
            }
        }
        catch
        {
            lease.Release();
            throw;
        }

        var meter = new StreamMeter(admission.EnforceOutputCeiling ? admission.OutputTokens : long.MaxValue, oneTokenPerUpdate: admission.Profile.Encoding is not null);
        CallOutcome outcome = CallOutcome.Cancelled;
        BudgetLimitKind? cut = null;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, admission.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await updates.MoveNextAsync();
                }
                catch (Exception e)
                {
                    outcome = Ended(e, cancellationToken);
                    throw;
                }

                if (!hasNext)
                {
                    outcome = CallOutcome.Succeeded;
                    break;
                }

                ChatResponseUpdate update = updates.Current;
                if (meter.Observe(update))
                {
                    // This update would take the output past the reserved ceiling: it is charged, not delivered.
                    cut = admission.OutputLimitKind ?? BudgetLimitKind.OutputTokens;
                    outcome = CallOutcome.Succeeded;
                    break;
                }

                yield return update;
            }
        }
        finally
        {
            if (updates is not null)
            {
                // Disposing the upstream enumerator cancels the provider's stream: a cut stream stops costing money.
                await updates.DisposeAsync();
            }

            BudgetUsage actual = Settle(in admission, messages, outcome, meter.Usage, response: null, meter.OutputTokens, cut);
            await SettlePeriodsAsync(hold, actual);
            lease.Release();
        }

        if (cut is { } kind)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new BudgetCutContent(kind, meter.OutputTokens)])
            {
                FinishReason = ChatFinishReason.Length,
                ModelId = admission.Profile.ModelId,
            };
        }
    }

    /// <summary>
    /// Answers what a call will cost at most, and what the budgets in force would decide for it now, without sending
    /// it or reserving anything. Input is counted exactly where the model family allows.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options: model, <c>MaxOutputTokens</c> and tools count.</param>
    /// <returns>The quote. An unpriced model gets a quote with no cost.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options name an empty model or a non-positive <c>MaxOutputTokens</c>.</exception>
    public CostQuote Quote(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? modelId = RequestedModel(options);
        if (options?.MaxOutputTokens is <= 0)
        {
            throw new ArgumentException($"ChatOptions.MaxOutputTokens must be positive; it is {options.MaxOutputTokens}.", nameof(options));
        }

        ModelProfile profile = modelId is null ? _noModel : Profile(modelId);
        InputTokenEstimate estimate = TokenEstimator.Estimate(messages, options, profile.Encoding, exactAbove: 0);
        long wantedOutput = options?.MaxOutputTokens ?? profile.MaximumOutputTokens;
        BudgetGate.Verdict verdict = BudgetGate.Evaluate(
            new BudgetGate.Demand(_requestLimits, profile, estimate.Tokens, wantedOutput, _overBudgetAction, _minimumClampedOutput, _mode),
            BudgetScope.Current);
        return new CostQuote
        {
            ModelId = profile.ModelId,
            InputTokens = estimate.Tokens,
            Precision = estimate.Precision,
            MaximumOutputTokens = wantedOutput,
            WorstCaseCost = profile.Price?.GetWorstCaseCost(estimate.UpperBound, wantedOutput),
            Decision = verdict.Decision,
            LimitKind = verdict.LimitKind,
            AllowedOutputTokens = verdict.OutputTokens,
            Price = profile.Price,
        };
    }

    /// <summary>Runs one tool call of the loop inside the run's tool caps.</summary>
    internal ValueTask<object?> InvokeToolAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? invoker,
        CancellationToken cancellationToken)
    {
        if (BudgetScope.Current is { } scope)
        {
            ToolCallVerdict verdict = scope.TryStartToolCall(context.FunctionCallIndex);
            if (verdict.IsRefused)
            {
                string reason = $"tool call '{context.Function.Name}' not run: the {(verdict.Kind == BudgetLimitKind.ParallelToolCalls ? "per-step" : "run's")} tool-call cap of budget '{verdict.Budget}' is {verdict.Limit}";
                RecordRefusal(CostAttribution.Current, modelId: null, context.IsStreaming, reason, verdict.Kind, verdict.Budget);
                Log.ToolCallRefused(_logger, context.Function.Name, reason);

                // The model reads this as the tool's result, and can answer with what it has.
                return new ValueTask<object?>($"Not run: {reason}. Answer with the information you already have.");
            }
        }

        return invoker is null ? context.Function.InvokeAsync(context.Arguments, cancellationToken) : invoker(context, cancellationToken);
    }

    private static CallOutcome Ended(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested ? CallOutcome.Cancelled : CallOutcome.Failed;

    /// <summary>Everything decided before a call is sent, needed to settle it after.</summary>
    private readonly record struct Admission(
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
        bool IsStreaming)
    {
        public BudgetLimitKind? OutputLimitKind => Verdict.LimitKind;
    }

    private Admission Admit(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        long start = _clock.GetTimestamp();
        string? modelId = RequestedModel(options);
        if (options?.MaxOutputTokens is <= 0)
        {
            throw new ArgumentException($"ChatOptions.MaxOutputTokens must be positive; it is {options.MaxOutputTokens}.", nameof(options));
        }

        Ledger.ThrowIfUnavailable();
        CostAttribution attribution = _telemetry.Propagate(CostAttribution.Current);
        AttributionDimensions missing = _requiredAttribution == AttributionDimensions.None ? AttributionDimensions.None : attribution.GetMissing(_requiredAttribution);
        if (missing != AttributionDimensions.None)
        {
            if (_unattributedCalls == UnattributedCallPolicy.Reject)
            {
                RecordRefusal(attribution, modelId, streaming, $"missing attribution: {missing}");
                throw new MissingAttributionException(missing, attribution);
            }

            attribution = attribution.WithUnattributed(missing);
        }

        ModelProfile profile = (modelId is null ? _noModel : Profile(modelId)).ForServiceTier(ServiceTiers.FromOptions(options));
        if (profile.Price is null && _unknownModels == UnknownModelPolicy.Reject)
        {
            RecordRefusal(attribution, modelId, streaming, modelId is null ? "no model named" : "unpriced model");
            throw new UnknownModelException(modelId);
        }

        long wantedOutput = options?.MaxOutputTokens ?? profile.MaximumOutputTokens;
        BudgetScope? scope = BudgetScope.Current;
        bool hasCeiling = _hasRequestCeiling || scope is not null || _periods is not null;

        RunState run = scope is null ? default : RunState.Of(scope);
        if (run.ToolCallsExhaustedIn is { } toolScope && run.HasRefusedToolCalls && _runLimitAction == RunLimitAction.Stop)
        {
            int cap = toolScope.Limits.MaximumToolCalls!.Value;
            Reject(new BudgetExceededException(BudgetLimitKind.ToolCalls, cap, toolScope.ToolCallCount, 1, toolScope.Name, profile.ModelId), BudgetLimitKind.ToolCalls, toolScope.Name);
        }

        bool finalTurn = (run.RemainingModelCalls == 1 && _runLimitAction is RunLimitAction.SoftStop or RunLimitAction.Degrade)
            || (run.ToolCallsExhaustedIn is not null && _runLimitAction is RunLimitAction.SoftStop or RunLimitAction.Degrade);
        bool dropTools = run.ToolCallsExhaustedIn is not null && _runLimitAction == RunLimitAction.DropTools;

        // Tool definitions are input only when they are sent.
        ChatOptions? counted = finalTurn || dropTools ? null : options;

        // Text already counted is exact; new text is bounded by its length, and counted only when that bound might not fit.
        InputTokenEstimate estimate = TokenEstimator.Estimate(messages, counted, profile.Encoding, exactAbove: long.MaxValue);
        if (hasCeiling && estimate.Precision == EstimatePrecision.Approximate && profile.Encoding is not null
            && estimate.UpperBound > InputRoom(scope, profile, wantedOutput))
        {
            estimate = TokenEstimator.Estimate(messages, counted, profile.Encoding, exactAbove: 0);
        }

        long reservedInput = ReservedInput(estimate, profile);
        string? requestedModel = null;
        string? degradedBy = null;
        if (_runLimitAction == RunLimitAction.Degrade && _degradeModels.Length > 0)
        {
            // Degrade prefers a cheaper model with the whole output to a clamp or a refusal on the model asked for:
            // preview without reserving, and move down the ladder when the cost ceiling is what binds.
            BudgetGate.Verdict preview = BudgetGate.Evaluate(Demand(profile, reservedInput, wantedOutput, finalTurn), scope);
            if (preview.Decision != BudgetDecision.Allowed && estimate.Precision == EstimatePrecision.Approximate && profile.Encoding is not null)
            {
                estimate = TokenEstimator.Estimate(messages, counted, profile.Encoding, exactAbove: 0);
                reservedInput = ReservedInput(estimate, profile);
                preview = BudgetGate.Evaluate(Demand(profile, reservedInput, wantedOutput, finalTurn), scope);
            }

            if (preview.Decision != BudgetDecision.Allowed && preview.LimitKind == BudgetLimitKind.Cost)
            {
                foreach (string candidate in Ladder(profile.ModelId))
                {
                    ModelProfile cheaper = Profile(candidate);
                    InputTokenEstimate cheaperEstimate = TokenEstimator.Estimate(messages, counted, cheaper.Encoding, exactAbove: 0);
                    long cheaperOutput = options?.MaxOutputTokens ?? cheaper.MaximumOutputTokens;
                    BudgetGate.Demand whole = Demand(cheaper, ReservedInput(cheaperEstimate, cheaper), cheaperOutput, finalTurn: false) with { Action = OverBudgetAction.Reject };
                    if (BudgetGate.Evaluate(whole, scope).Decision == BudgetDecision.Allowed)
                    {
                        (requestedModel, degradedBy) = (profile.ModelId, preview.LimitBudget);
                        (profile, estimate, reservedInput, wantedOutput) = (cheaper, cheaperEstimate, ReservedInput(cheaperEstimate, cheaper), cheaperOutput);
                        break;
                    }
                }
            }
        }

        BudgetGate.Verdict verdict = Gate(profile, reservedInput, wantedOutput, finalTurn, scope);
        if (verdict.Decision == BudgetDecision.Rejected && estimate.Precision == EstimatePrecision.Approximate && profile.Encoding is not null)
        {
            // The bound did not fit; the exact count may.
            estimate = TokenEstimator.Estimate(messages, counted, profile.Encoding, exactAbove: 0);
            reservedInput = ReservedInput(estimate, profile);
            verdict = Gate(profile, reservedInput, wantedOutput, finalTurn, scope);
        }

        if (requestedModel is not null)
        {
            verdict = verdict with { LimitKind = verdict.LimitKind ?? BudgetLimitKind.Cost, LimitBudget = verdict.LimitBudget ?? degradedBy };
        }

        if (verdict.Decision == BudgetDecision.Rejected && !finalTurn && _runLimitAction is RunLimitAction.SoftStop or RunLimitAction.Degrade
            && verdict.LimitKind is BudgetLimitKind.Cost or BudgetLimitKind.OutputTokens or BudgetLimitKind.TotalTokens)
        {
            // Nothing fits the call as asked: end the run with an answer, without tools, rather than an exception.
            InputTokenEstimate toolless = TokenEstimator.Estimate(messages, null, profile.Encoding, exactAbove: 0);
            BudgetGate.Verdict last = Gate(profile, ReservedInput(toolless, profile), wantedOutput, finalTurn: true, scope);
            if (last.Decision != BudgetDecision.Rejected)
            {
                (finalTurn, verdict, estimate, reservedInput) = (true, last, toolless, ReservedInput(toolless, profile));
            }
        }

        if (verdict.Decision == BudgetDecision.Rejected)
        {
            Record(new CostRecord
            {
                Timestamp = _time.GetUtcNow(),
                Attribution = attribution,
                ScopeName = scope?.Name,
                ScopeId = scope?.Id,
                ModelId = profile.ModelId,
                Provider = _provider,
                IsStreaming = streaming,
                EstimatedInputTokens = estimate.Tokens,
                EstimatePrecision = estimate.Precision,
                CostSource = profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
                Decision = BudgetDecision.Rejected,
                LimitKind = verdict.LimitKind,
                LimitBudget = verdict.LimitBudget,
                MaximumOutputTokens = wantedOutput,
                Outcome = CallOutcome.NotSent,
            }, scope);
            Log.Rejected(_logger, profile.ModelId, verdict.Rejection!.Message);
            throw verdict.Rejection;
        }

        bool stripTools = (finalTurn || dropTools) && options?.Tools is { Count: > 0 };
        ChatOptions? sent = options;
        if (verdict.Decision == BudgetDecision.Clamped || stripTools || requestedModel is not null)
        {
            // Clone rather than build new options: callers such as Semantic Kernel pass ChatOptions subclasses.
            sent = options?.Clone() ?? new ChatOptions();
            if (verdict.Decision == BudgetDecision.Clamped)
            {
                sent.MaxOutputTokens = checked((int)Math.Min(int.MaxValue, verdict.OutputTokens));
            }

            if (stripTools)
            {
                sent.Tools = null;
                sent.ToolMode = ChatToolMode.None;
            }

            if (requestedModel is not null)
            {
                sent.ModelId = profile.ModelId;
            }
        }

        BudgetDecision decision = requestedModel is not null ? BudgetDecision.Degraded
            : finalTurn && (stripTools || verdict.Decision == BudgetDecision.Clamped) ? BudgetDecision.FinalTurn
            : dropTools && stripTools ? BudgetDecision.ToolsDropped
            : verdict.Decision;
        if (decision != verdict.Decision)
        {
            verdict = verdict with { Decision = decision };
        }

        return new Admission(
            start,
            _clock.GetUtcAt(start),
            attribution,
            profile,
            requestedModel,
            estimate,
            reservedInput,
            verdict.OutputTokens,
            scope,
            verdict,
            sent,
            hasCeiling && _mode == EnforcementMode.Enforce,
            streaming);
    }

    private BudgetGate.Verdict Gate(ModelProfile profile, long input, long wantedOutput, bool finalTurn, BudgetScope? scope) =>
        BudgetGate.Admit(Demand(profile, input, wantedOutput, finalTurn), scope);

    private BudgetGate.Demand Demand(ModelProfile profile, long input, long wantedOutput, bool finalTurn) =>
        new(_requestLimits, profile, input, wantedOutput, finalTurn ? OverBudgetAction.Clamp : _overBudgetAction, _minimumClampedOutput, _mode);

    /// <summary>The models of the degrade ladder below <paramref name="modelId"/>; the whole ladder when the model is not on it.</summary>
    private IEnumerable<string> Ladder(string? modelId)
    {
        int at = modelId is null ? -1 : Array.FindIndex(_degradeModels, m => string.Equals(m, modelId, StringComparison.OrdinalIgnoreCase));
        for (int i = at + 1; i < _degradeModels.Length; i++)
        {
            yield return _degradeModels[i];
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Reject(BudgetExceededException rejection, BudgetLimitKind kind, string budget)
    {
        RecordRefusal(CostAttribution.Current, rejection.ModelId, streaming: false, rejection.Message, kind, budget);
        Log.Rejected(_logger, rejection.ModelId, rejection.Message);
        throw rejection;
    }

    private ValueTask<FanOutLease> AcquireFanOut(ChatOptions? options, bool streaming, CancellationToken cancellationToken)
    {
        // Without a fan-out cap the lease is taken synchronously: no state machine on the per-call path.
        ValueTask<FanOutLease> acquiring = FanOutLease.AcquireAsync(BudgetScope.Current, _concurrencyAction, options?.ModelId ?? _defaultModelId, cancellationToken);
        return acquiring.IsCompletedSuccessfully ? acquiring : AwaitFanOut(acquiring, streaming);
    }

    private async ValueTask<FanOutLease> AwaitFanOut(ValueTask<FanOutLease> acquiring, bool streaming)
    {
        try
        {
            return await acquiring;
        }
        catch (BudgetExceededException e)
        {
            RecordRefusal(CostAttribution.Current, e.ModelId, streaming, e.Message, e.LimitKind, e.BudgetName);
            throw;
        }
    }

    private static long ReservedInput(InputTokenEstimate estimate, ModelProfile profile) =>
        profile.Encoding is null ? TokenEstimator.Calibrated(profile.ModelId, estimate.Tokens) : estimate.UpperBound;

    /// <summary>The most input tokens that could fit every ceiling with the wanted output: above it, counting exactly pays.</summary>
    private long InputRoom(BudgetScope? scope, ModelProfile profile, long wantedOutput)
    {
        long room = Room(_requestLimits, default, profile, wantedOutput);
        for (BudgetScope? s = scope; s is not null; s = s.Parent)
        {
            BudgetUsage used;
            lock (s.Sync)
            {
                used = s.Used;
            }

            room = Math.Min(room, Room(s.Limits, used, profile, wantedOutput));
        }

        return room;

        static long Room(BudgetLimits limits, BudgetUsage used, ModelProfile profile, long wantedOutput)
        {
            long room = long.MaxValue;
            if (limits.MaximumInputTokens is { } input) room = Math.Min(room, input - used.InputTokens);
            if (limits.MaximumTotalTokens is { } total) room = Math.Min(room, total - used.TotalTokens - wantedOutput);
            if (limits.MaximumOutputTokens is { } output && output - used.OutputTokens < wantedOutput) room = 0;
            if (limits.MaximumCost is { } cost && profile.Price is { InputPerMillion: > 0 } price)
            {
                decimal left = cost - used.Cost - price.GetWorstCaseCost(0, wantedOutput);
                room = Math.Min(room, left <= 0 ? 0 : (long)Math.Min(long.MaxValue, decimal.Floor(left * 1_000_000m / price.InputPerMillion)));
            }

            return room;
        }
    }

    private string? RequestedModel(ChatOptions? options)
    {
        string? modelId = options?.ModelId;
        if (modelId is not null && string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("ChatOptions.ModelId is empty or white space; set a model id or leave it null to use the client's default model.", nameof(options));
        }

        return modelId ?? _defaultModelId;
    }

    /// <summary>Records a call refused before it was sent, and reports it to telemetry.</summary>
    internal void RecordRefusal(CostAttribution attribution, string? modelId, bool streaming, string reason, BudgetLimitKind? kind = null, string? budget = null, long estimatedInput = 0) =>
        Record(CostRecord.Refusal(_time.GetUtcNow(), attribution, modelId, _provider, streaming, reason, kind, budget, estimatedInput), BudgetScope.Current);

    private ModelProfile Profile(string modelId)
    {
        if (_profiles.TryGetValue(modelId, out ModelProfile? profile))
        {
            return profile;
        }

        Catalog.TryGetPrice(modelId, out ModelPrice? price);
        profile = new ModelProfile(modelId, price, TokenEstimator.GetEncoding(modelId), price?.MaximumOutputTokens ?? _defaultMaximumOutput);
        if (_profiles.Count < MaximumProfiles)
        {
            _profiles.TryAdd(modelId, profile);
        }

        return profile;
    }

    private BudgetUsage Settle(in Admission admission, IEnumerable<ChatMessage> messages, CallOutcome outcome, UsageDetails? reported, ChatResponse? response, long streamedOutput, BudgetLimitKind? cut)
    {
        // Copy the numbers out at once: a tool loop adds later iterations into the first response's UsageDetails.
        // Normalizing once (Anthropic-style cache reads and writes folded into input) means every token is priced once.
        TokenUsage normalized = reported is null ? default : TokenUsage.FromUsageDetails(reported);
        long? input = Positive(reported?.InputTokenCount) is null ? null : normalized.InputTokens;
        long? output = Positive(reported?.OutputTokenCount);
        long cached = normalized.CachedInputTokens;
        long reasoning = normalized.ReasoningTokens;

        ModelProfile profile = admission.Profile.Standard;
        if (response?.ModelId is { Length: > 0 } reportedModel && !string.Equals(reportedModel, profile.ModelId, StringComparison.Ordinal))
        {
            ModelProfile snapshot = Profile(reportedModel);
            if (snapshot.Price is not null || profile.Price is null)
            {
                profile = snapshot;
            }
        }

        bool estimated = input is null || output is null;
        if (input is null)
        {
            // Nothing reported: the provider was at least sent the prompt unless the call failed before answering.
            input = outcome is CallOutcome.Failed && streamedOutput == 0 ? 0 : ExactInput(in admission, messages);
        }

        if (output is null)
        {
            output = response is not null ? TokenEstimator.EstimateOutputTokens(response.Text, profile.ModelId) : streamedOutput;
        }

        if (cached > input)
        {
            Log.CachedAboveInput(_logger, profile.ModelId, cached, input.Value);
            cached = input.Value;
        }

        if (!estimated && profile.Encoding is null && admission.Estimate.Precision == EstimatePrecision.Approximate)
        {
            TokenEstimator.Calibrate(admission.Profile.ModelId, admission.Estimate.Tokens, input.Value);
        }

        TokenUsage usage = (normalized with { InputTokens = input.Value, OutputTokens = output.Value, CachedInputTokens = cached, ReasoningTokens = reasoning }).FittedToTotals();
        string? serviceTier = ServiceTiers.FromResponse(response) ?? ServiceTiers.FromOptions(admission.Options);
        CostBreakdown? priced = profile.Price?.At(admission.StartTime).GetCostBreakdown(usage, serviceTier);
        decimal cost = priced?.Total ?? 0m;
        CostSource source = profile.Price is null ? CostSource.Unpriced : estimated ? CostSource.Estimated : CostSource.ProviderReported;
        if (estimated && outcome == CallOutcome.Succeeded && cut is null)
        {
            Log.NoUsage(_logger, profile.ModelId);
        }

        var actual = new BudgetUsage(usage.InputTokens, usage.OutputTokens, cost);
        admission.Scope?.Settle(admission.Verdict.Reserved, actual);
        Record(new CostRecord
        {
            Timestamp = admission.StartTime,
            Duration = _time.GetElapsedTime(admission.StartTimestamp),
            Attribution = admission.Attribution,
            ScopeName = admission.Scope?.Name,
            ScopeId = admission.Scope?.Id,
            ModelId = profile.ModelId,
            RequestedModelId = admission.RequestedModelId,
            Provider = _provider,
            IsStreaming = admission.IsStreaming,
            InputTokens = usage.InputTokens,
            CachedInputTokens = usage.CachedInputTokens,
            OutputTokens = usage.OutputTokens,
            ReasoningTokens = usage.ReasoningTokens,
            EstimatedInputTokens = admission.Estimate.Tokens,
            EstimatePrecision = admission.Estimate.Precision,
            Cost = cost,
            CostSource = source,
            Decision = cut is not null ? BudgetDecision.Cut : admission.Verdict.Decision,
            LimitKind = cut ?? admission.Verdict.LimitKind,
            LimitBudget = admission.Verdict.LimitBudget,
            MaximumOutputTokens = admission.OutputTokens,
            Attempt = RetryAttempt.Current,
            Outcome = outcome,
            CacheWriteTokens = usage.AllCacheWriteTokens,
            ServiceTier = priced?.ServiceTier,
            PricingNotes = priced?.Notes ?? PricingNotes.None,
        }, admission.Scope);
        return actual;
    }

    /// <summary>Reports the record to OpenTelemetry, which stamps it with its trace, then writes it to the ledger.</summary>
    private void Record(CostRecord record, BudgetScope? scope)
    {
        if (record.Attempt == 0 && (record.Outcome == CallOutcome.NotSent || record.Decision == BudgetDecision.Rejected))
        {
            // A refusal names the retry attempt it refused, as a settled call does.
            record = record with { Attempt = RetryAttempt.Current };
        }

        _telemetry.Observe(ref record, scope);
        Ledger.Record(in record);
    }

    private static long ExactInput(in Admission admission, IEnumerable<ChatMessage> messages) =>
        admission.Estimate.Precision == EstimatePrecision.Exact || admission.Profile.Encoding is null
            ? admission.Estimate.Tokens
            : TokenEstimator.Estimate(messages, admission.Options, admission.Profile.Encoding, exactAbove: 0).Tokens;

    private static long? Positive(long? value) => value is >= 0 ? value : null;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Model call to '{ModelId}' rejected by its budget: {Reason}")]
        public static partial void Rejected(ILogger logger, string? modelId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "The provider reported no usage for a call to '{ModelId}'; its cost was estimated.")]
        public static partial void NoUsage(ILogger logger, string? modelId);

        [LoggerMessage(4, LogLevel.Warning, "Tool call '{Tool}' refused by its budget: {Reason}")]
        public static partial void ToolCallRefused(ILogger logger, string tool, string reason);

        [LoggerMessage(3, LogLevel.Warning, "The provider reported {Cached} cached input tokens for a call to '{ModelId}' but only {Input} input tokens; the cached count was capped at the input count.")]
        public static partial void CachedAboveInput(ILogger logger, string? modelId, long cached, long input);
    }
}
