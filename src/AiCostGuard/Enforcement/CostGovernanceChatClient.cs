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
public sealed class CostGovernanceChatClient : DelegatingChatClient
{
    private readonly CallPipeline _pipeline;
    private readonly GovernedStream _streams;

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
        if (innerClient.GetService(typeof(FunctionInvokingChatClient)) is not null)
        {
            // Outside the tool loop the middleware would see one call per request with summed usage: it could neither
            // budget each model call nor stop a loop in time.
            throw new InvalidOperationException(
                "UseCostGovernance() is outside UseFunctionInvocation() in this pipeline. Place it after (inside) the tool loop — " +
                "builder.UseFunctionInvocation().UseCostGovernance() — so that every model call of the loop is budgeted.");
        }

        _pipeline = new CallPipeline(
            options,
            innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata,
            timeProvider ?? TimeProvider.System,
            logger ?? NullLogger.Instance,
            alert => VelocityTelemetry.Report(this, alert, SpendVelocityExceeded),
            reached => TierTelemetry.Report(this, reached, BudgetTierReached))
        {
            DetectsCacheHits = CacheHitDetectingChatClient.IsBelow(innerClient),
        };
        string[] unpricedLadder = [.. options.DegradeModels.Where(m => !Catalog.TryGetPrice(m, out _))];
        if (unpricedLadder.Length > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                CostGovernanceOptions.SectionName,
                typeof(CostGovernanceOptions),
                [$"{nameof(CostGovernanceOptions.DegradeModels)}: {string.Join(", ", unpricedLadder)} has no price in the catalog, so a run could not be degraded to it."]);
        }

        _streams = new GovernedStream(_pipeline, innerClient);

        // A vocabulary missing from a damaged install is found now, not on the first call that needs it.
        TokenEstimator.ThrowIfVocabularyMissing(_pipeline.Models.DefaultModelId);
        foreach (string model in options.DegradeModels)
        {
            TokenEstimator.ThrowIfVocabularyMissing(Catalog.Canonical(model));
        }
    }

    /// <summary>
    /// Occurs when a call finds the spend rate of its attribution key above a <see cref="SpendVelocityRule"/>'s
    /// threshold, whatever the rule's action (alert, throttle or block), before the action is taken.
    /// </summary>
    /// <remarks>Raised synchronously on the calling flow, possibly from many calls at once: handlers must be thread-safe and quick.</remarks>
    public event EventHandler<SpendVelocityEventArgs>? SpendVelocityExceeded;

    /// <summary>
    /// Occurs when a period budget's window first reaches one of its <see cref="PeriodBudgetOptions.Tiers"/> (once per
    /// window, tier and attribution key in this process), whatever the tier's action, before the action is taken.
    /// </summary>
    /// <remarks>Raised synchronously on the calling flow, possibly from many calls at once: handlers must be thread-safe and quick. A handler that throws is logged, not rethrown.</remarks>
    public event EventHandler<BudgetTierEventArgs>? BudgetTierReached;

    /// <summary>Gets the ledger every call is recorded in.</summary>
    public ICostLedger Ledger => _pipeline.Recorder.Ledger;

    /// <summary>Gets the prices in force: the configured catalog with the configured overrides.</summary>
    public PriceCatalog Catalog => _pipeline.Models.Catalog;

    /// <summary>Gets what this client has learned of the model families it estimates, from the usage their providers report.</summary>
    public InputTokenCalibrator InputCalibrator => _pipeline.Calibrator;

    /// <summary>Gets the store period budgets keep their spend in; <see langword="null"/> when no period budget or velocity rule is configured.</summary>
    public IBudgetStore? BudgetStore => _pipeline.Periods?.Store;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        FanOutLease lease = await _pipeline.AcquireFanOut(options, streaming: false, cancellationToken);
        try
        {
            Admission admission = _pipeline.Admit(messages, options, streaming: false);
            if (_pipeline.Gates.Length > 0)
            {
                GateHold[] holds = await _pipeline.AdmitGatesAsync(admission, cancellationToken);
                admission = _pipeline.Decider.WithGates(admission, holds);
            }

            ChatResponse response;
            ProviderCallProbe? probe = _pipeline.DetectsCacheHits ? ProviderCallProbe.Begin() : null;
            try
            {
                response = await base.GetResponseAsync(messages, admission.Options, cancellationToken);
            }
            catch (Exception e)
            {
                await SettleAsync(admission, messages, Ended(e, cancellationToken), response: null);
                throw;
            }

            await SettleAsync(admission, messages, CallOutcome.Succeeded, response, answeredByCache: probe is { Reached: false });
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
        return _streams.RunAsync(messages, options, cancellationToken);
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
        return _pipeline.Quote(messages, options);
    }

    /// <summary>Runs one tool call of the loop inside the run's tool caps.</summary>
    internal ValueTask<object?> InvokeToolAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? invoker,
        CancellationToken cancellationToken) =>
        _pipeline.InvokeToolAsync(context, invoker, cancellationToken);

    /// <summary>Records a call refused before it was sent, and reports it to telemetry.</summary>
    internal void RecordRefusal(CostAttribution attribution, string? modelId, bool streaming, string reason, BudgetLimitKind? kind = null, string? budget = null, long estimatedInput = 0) =>
        _pipeline.Recorder.Refuse(attribution, modelId, streaming, reason, kind, budget, estimatedInput);

    internal static CallOutcome Ended(Exception e, CancellationToken cancellationToken) => Ended(e, cancellationToken.IsCancellationRequested);

    /// <summary>How a call that threw <paramref name="e"/> ended: cancelled only when its caller asked for it.</summary>
    internal static CallOutcome Ended(Exception e, bool callerCancelled) =>
        e is OperationCanceledException && callerCancelled ? CallOutcome.Cancelled : CallOutcome.Failed;

    // Out of line: the success and the failure path would each carry a copy of the settlement's record otherwise.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private ValueTask SettleAsync(in Admission admission, IEnumerable<ChatMessage> messages, CallOutcome outcome, ChatResponse? response, bool answeredByCache = false)
    {
        BudgetUsage actual = _pipeline.Settlement.Settle(in admission, messages, outcome, response?.Usage, response, streamedOutput: 0, cut: null, answeredByCache: answeredByCache);
        return admission.Holds is { } holds ? _pipeline.SettleGatesAsync(holds, actual) : default;
    }
}
