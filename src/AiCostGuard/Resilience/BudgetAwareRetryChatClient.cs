using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AiCostGuard;

/// <summary>
/// Retries transient provider failures with a Polly retry strategy, each attempt passing through the
/// <see cref="CostGovernanceChatClient"/> inside it: every attempt is admitted against the budgets in force, charged
/// and recorded in the ledger with its <see cref="CostRecord.Attempt"/> number, and no attempt starts when the
/// remaining budget cannot pay its worst case.
/// </summary>
/// <remarks>
/// <para>
/// Place it with <c>UseBudgetAwareRetry()</c> before (outside) <c>UseCostGovernance()</c>; built the other way round
/// it throws, because a retry the governance never sees would spend money no budget holds.
/// </para>
/// <para>
/// The governance's refusals — <see cref="BudgetExceededException"/>, <see cref="MissingAttributionException"/>,
/// <see cref="UnknownModelException"/>, <see cref="PolicyDeniedException"/>, <see cref="ModelRoutingException"/> — are never retried, whatever the strategy's <c>ShouldHandle</c> says; nor is
/// cancellation. By default network failures, timeouts and HTTP 408, 429 and 5xx answers are retried — from
/// <see cref="HttpRequestException"/> and from the provider SDKs' own exceptions (the OpenAI SDK's
/// <c>System.ClientModel.ClientResultException</c>, whose status is read without a dependency on it) — after the wait a
/// <c>Retry-After</c> header asks for, else Polly's back-off. Delays run on the injected <see cref="TimeProvider"/>. A retry whose worst case the budgets can no longer pay
/// when the attempt fails is not delayed: it is refused at once, and the refusal recorded.
/// </para>
/// <para>
/// Streaming responses pass through without retry: updates already delivered to the caller cannot be taken back.
/// </para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class BudgetAwareRetryChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<AttemptState> AttemptKey = new("AiCostGuard.Attempt");

    private readonly TimeProvider _time;

    private readonly ResiliencePipeline<ChatResponse> _pipeline;
    private readonly CostGovernanceChatClient _governance;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to retry; a <see cref="CostGovernanceChatClient"/> must be inside it.</param>
    /// <param name="options">The retry strategy; <see langword="null"/> uses the defaults of <see cref="RetryStrategyOptions{TResult}"/> with the transient failures above.</param>
    /// <param name="timeProvider">The clock for delays; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="CostGovernanceChatClient"/> is inside <paramref name="innerClient"/>.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The retry options are invalid.</exception>
    public BudgetAwareRetryChatClient(IChatClient innerClient, RetryStrategyOptions<ChatResponse>? options = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        if (innerClient.GetService(typeof(CostGovernanceChatClient)) is not CostGovernanceChatClient governance)
        {
            throw new InvalidOperationException(
                "UseBudgetAwareRetry() needs UseCostGovernance() inside it, so that every attempt is admitted, charged and recorded. " +
                "Place it before (outside) the governance: builder.UseBudgetAwareRetry().UseCostGovernance().");
        }

        _governance = governance;
        options ??= CreateDefaultOptions();
        Func<RetryPredicateArguments<ChatResponse>, ValueTask<bool>> shouldHandle = options.ShouldHandle;
        options.ShouldHandle = args => args.Outcome.Exception is { } e && IsRefusal(e, args.Context.CancellationToken) ? new ValueTask<bool>(false) : shouldHandle(args);

        // A retry the budgets can no longer pay is not waited for: it goes at once to the governance, which refuses and records it.
        Func<RetryDelayGeneratorArguments<ChatResponse>, ValueTask<TimeSpan?>>? delay = options.DelayGenerator;
        options.DelayGenerator = args =>
            args.Context.Properties.TryGetValue(AttemptKey, out AttemptState? attempt) && !attempt.Client.CanAfford(attempt)
                ? new ValueTask<TimeSpan?>(TimeSpan.Zero)
                : delay?.Invoke(args) ?? new ValueTask<TimeSpan?>((TimeSpan?)null);
        _time = timeProvider ?? TimeProvider.System;
        _pipeline = new ResiliencePipelineBuilder<ChatResponse> { TimeProvider = _time }
            .AddRetry(options)
            .Build();
    }

    /// <summary>Creates the default strategy: Polly's defaults, retrying the transient failures listed on the type.</summary>
    /// <returns>New options the caller may change.</returns>
    public static RetryStrategyOptions<ChatResponse> CreateDefaultOptions() => new()
    {
        ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is { } e && TransientFailures.IsTransient(e)),
        DelayGenerator = static args => new ValueTask<TimeSpan?>(
            args.Outcome.Exception is { } e ? TransientFailures.RetryAfter(e, args.Context.Properties.TryGetValue(AttemptKey, out AttemptState? attempt) ? attempt.Client.Now : DateTimeOffset.UtcNow) : null),
    };

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // Each attempt re-reads the messages: a one-shot sequence is read once, here.
        IEnumerable<ChatMessage> replayable = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var attempt = new AttemptState(this, replayable, options);
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(AttemptKey, attempt);
            return await _pipeline.ExecuteAsync(
                static (context, state) =>
                {
                    state.Attempt++;
                    return new ValueTask<ChatResponse>(state.Client.SendAttemptAsync(state.Messages, state.Options, state.Attempt, context.CancellationToken));
                },
                context,
                attempt);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether the budgets in force would admit the next attempt now (clamped counts as admitted).</summary>
    /// <summary>Gets the time on the client's clock, against which an HTTP-date <c>Retry-After</c> is read.</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    private bool CanAfford(AttemptState attempt) => _governance.Quote(attempt.Messages, attempt.Options).Decision != BudgetDecision.Rejected;

    private async Task<ChatResponse> SendAttemptAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, int attempt, CancellationToken cancellationToken)
    {
        // Set on this method's own flow: the governance inside reads it, the caller's flow never sees it.
        RetryAttempt.Set(attempt);
        return await base.GetResponseAsync(messages, options, cancellationToken);
    }

    private static bool IsRefusal(Exception e, CancellationToken cancellationToken) =>
        e is BudgetExceededException or MissingAttributionException or UnknownModelException or PolicyDeniedException or ModelRoutingException
        || (e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private sealed class AttemptState(BudgetAwareRetryChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        public BudgetAwareRetryChatClient Client { get; } = client;

        public IEnumerable<ChatMessage> Messages { get; } = messages;

        public ChatOptions? Options { get; } = options;

        public int Attempt { get; set; }
    }
}
