using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AiCostGuard;

/// <summary>
/// Governs calls with the <see cref="CostGovernanceOptions"/> in force: when their configuration reloads, the next
/// calls run on a <see cref="CostGovernanceChatClient"/> built from the new options, once they are valid. An invalid
/// reload is logged and the last valid options stay.
/// </summary>
/// <remarks>
/// What a governed client has learned and holds is carried to the next one: the input calibrator, and the budget store
/// of the period budgets (so a day's spend is not forgotten); the ledger comes from the services. Calls in flight
/// finish on the client that admitted them. Spend velocity windows start again after a reload.
/// </remarks>
internal sealed partial class ReloadingCostGovernanceChatClient : DelegatingChatClient
{
    private readonly Func<CostGovernanceOptions, CostGovernanceOptions> _complete;
    private readonly Func<CostGovernanceOptions, CostGovernanceChatClient> _build;
    private readonly IOptionsFactory<CostGovernanceOptions> _factory;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private readonly IDisposable _subscription;
    private CostGovernanceChatClient _current;

    /// <param name="innerClient">The client to govern.</param>
    /// <param name="name">The options' name.</param>
    /// <param name="initial">The options in force now, already completed.</param>
    /// <param name="factory">Creates (binds and validates) the options after a reload.</param>
    /// <param name="sources">The change token sources of these options.</param>
    /// <param name="complete">Applies the pipeline's own configuration and the services to freshly created options.</param>
    /// <param name="build">Builds a governed client from completed options.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    public ReloadingCostGovernanceChatClient(
        IChatClient innerClient,
        string name,
        CostGovernanceOptions initial,
        IOptionsFactory<CostGovernanceOptions> factory,
        IOptionsChangeTokenSource<CostGovernanceOptions>[] sources,
        Func<CostGovernanceOptions, CostGovernanceOptions> complete,
        Func<CostGovernanceOptions, CostGovernanceChatClient> build,
        ILogger? logger)
        : base(innerClient)
    {
        _name = name;
        _factory = factory;
        _complete = complete;
        _build = build;
        _logger = logger ?? NullLogger.Instance;
        _current = build(initial);
        _subscription = ChangeToken.OnChange(
            () => sources.Length == 1 ? sources[0].GetChangeToken() : new CompositeChangeToken([.. sources.Select(s => s.GetChangeToken())]),
            Reload);
    }

    /// <summary>Gets the governed client new calls run on.</summary>
    public CostGovernanceChatClient Current => Volatile.Read(ref _current);

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Current.GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Current.GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : Current.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription.Dispose();
        }

        // The governed clients share the inner client, which the base disposes once.
        base.Dispose(disposing);
    }

    private void Reload()
    {
        lock (_reloading)
        {
            CostGovernanceChatClient previous = _current;
            CostGovernanceChatClient next;
            try
            {
                CostGovernanceOptions options = _complete(_factory.Create(_name));
                options.InputCalibrator ??= previous.InputCalibrator;
                options.BudgetStore ??= previous.BudgetStore;
                next = _build(options);
            }
            catch (OptionsValidationException e)
            {
                Log.ReloadRejected(_logger, _name, string.Join(" ", e.Failures));
                return;
            }

            Volatile.Write(ref _current, next);
            Log.Reloaded(_logger, _name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(110, LogLevel.Error, "The reloaded cost governance options '{Name}' are invalid and were not applied; the last valid options stay in force: {Problems}")]
        public static partial void ReloadRejected(ILogger logger, string name, string problems);

        [LoggerMessage(111, LogLevel.Information, "The cost governance options '{Name}' were reloaded; new calls use them.")]
        public static partial void Reloaded(ILogger logger, string name);
    }
}
