using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiCostGuard;

/// <summary>
/// A delegating embedding generator governed like a chat call: it attributes the call, counts its inputs, prices and
/// reserves them against the per-request ceilings, every enclosing <see cref="BudgetScope"/> and the period budgets
/// before sending, then commits the provider-reported usage and records the call (<see cref="CallKind.Embedding"/>).
/// </summary>
/// <remarks>
/// <para>Place it with <c>UseCostGovernance()</c> on an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>. The
/// options are those of the chat middleware (<see cref="CostGovernanceOptions"/>); share the <see cref="ICostLedger"/>
/// and <see cref="IBudgetStore"/> (as the dependency injection registration does) so that one ledger and one set of
/// period budgets hold chat and embeddings together. Inside <c>UseOpenTelemetry()</c> it puts the cost on its
/// <c>embeddings</c> span.</para>
/// <para>Above <c>UseDistributedCache()</c>, add <c>UseCacheHitDetection()</c> directly after the cache: inputs the cache
/// answers are recorded at $0 with the cost they avoided.</para>
/// <para>This type is thread-safe: one instance serves any number of concurrent calls.</para>
/// </remarks>
public sealed class CostGovernanceEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingPipeline _pipeline;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerGenerator">The generator to govern.</param>
    /// <param name="options">The options; validated here and copied. <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for timestamps and durations; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the exception lists every problem.</exception>
    /// <exception cref="InvalidOperationException">A response cache is below without <c>UseCacheHitDetection()</c> below it.</exception>
    public CostGovernanceEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, CostGovernanceOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerGenerator)
    {
        options ??= new CostGovernanceOptions();
        options.ThrowIfInvalid();
        var metadata = innerGenerator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        TimeProvider time = timeProvider ?? TimeProvider.System;
        ILogger log = logger ?? NullLogger.Instance;
        var calls = new CallPipeline(
            options,
            metadata is null ? null : new ChatClientMetadata(metadata.ProviderName, metadata.ProviderUri, metadata.DefaultModelId),
            time,
            log,
            alert => VelocityTelemetry.Report(this, alert, SpendVelocityExceeded))
        {
            DetectsCacheHits = DetectsCacheHits(innerGenerator),
        };
        _pipeline = new EmbeddingPipeline(calls, time, log);
        TokenEstimator.ThrowIfVocabularyMissing(calls.Models.DefaultModelId);
    }

    /// <summary>
    /// Occurs when a call finds the spend rate of its attribution key above a <see cref="SpendVelocityRule"/>'s
    /// threshold, before the rule's action is taken.
    /// </summary>
    /// <remarks>Raised synchronously on the calling flow, possibly from many calls at once: handlers must be thread-safe and quick.</remarks>
    public event EventHandler<SpendVelocityEventArgs>? SpendVelocityExceeded;

    /// <summary>Gets the ledger every call is recorded in.</summary>
    public ICostLedger Ledger => _pipeline.Calls.Recorder.Ledger;

    /// <summary>Gets the prices in force: the configured catalog with the configured overrides.</summary>
    public PriceCatalog Catalog => _pipeline.Calls.Models.Catalog;

    /// <summary>Gets the store period budgets keep their spend in; <see langword="null"/> when no period budget or velocity rule is configured.</summary>
    public IBudgetStore? BudgetStore => _pipeline.Calls.Periods?.Store;

    /// <inheritdoc/>
    /// <exception cref="MissingAttributionException">A required attribution dimension is missing.</exception>
    /// <exception cref="UnknownModelException">The model has no price and unknown models are rejected.</exception>
    /// <exception cref="BudgetExceededException">The inputs' cost or tokens do not fit a ceiling.</exception>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);

        // Enumerated once: the inputs counted are the inputs sent.
        IReadOnlyList<string> inputs = values as IReadOnlyList<string> ?? [.. values];
        CallPipeline calls = _pipeline.Calls;
        Admission admission = _pipeline.Admit(inputs, options);
        if (calls.Gates.Length > 0)
        {
            GateHold[] holds = await calls.AdmitGatesAsync(admission, cancellationToken);
            admission = calls.Decider.WithGates(admission, holds);
        }

        ProviderCallProbe? probe = calls.DetectsCacheHits ? ProviderCallProbe.Begin() : null;
        GeneratedEmbeddings<Embedding<float>> generated;
        try
        {
            generated = await base.GenerateAsync(inputs, options, cancellationToken);
        }
        catch (Exception e)
        {
            await SettleAsync(admission, inputs, CostGovernanceChatClient.Ended(e, cancellationToken), generated: null, probe);
            throw;
        }

        await SettleAsync(admission, inputs, CallOutcome.Succeeded, generated, probe);
        return generated;
    }

    /// <summary>Whether a cache marker is below; an embeddings cache below without one would charge every hit again, so it is a configuration error.</summary>
    private static bool DetectsCacheHits(IEmbeddingGenerator<string, Embedding<float>> inner)
    {
        if (inner.GetService(typeof(CachingEmbeddingGenerator<string, Embedding<float>>)) is IEmbeddingGenerator<string, Embedding<float>> cache
            && cache.GetService(typeof(CacheHitDetectingEmbeddingGenerator)) is null)
        {
            throw new InvalidOperationException(
                "UseCostGovernance() is above UseDistributedCache() in this embeddings pipeline without UseCacheHitDetection() below the cache, so " +
                "every cache hit would be charged again. Add it directly after the cache — builder.UseCostGovernance().UseDistributedCache().UseCacheHitDetection() — " +
                "or place the cache outside (before) UseCostGovernance().");
        }

        return inner.GetService(typeof(CacheHitDetectingEmbeddingGenerator)) is not null;
    }

    private ValueTask SettleAsync(in Admission admission, IReadOnlyList<string> inputs, CallOutcome outcome, GeneratedEmbeddings<Embedding<float>>? generated, ProviderCallProbe? probe)
    {
        BudgetUsage actual = _pipeline.Settle(in admission, inputs, outcome, generated, probe);
        return admission.Holds is { } holds ? _pipeline.Calls.SettleGatesAsync(holds, actual) : default;
    }
}
