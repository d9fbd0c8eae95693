using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// The steps of a governed embeddings call, on the chat pipeline's parts: attribute → resolve the model and its price →
/// count the inputs → check the scopes and reserve (the request ceilings and every enclosing <see cref="BudgetScope"/>,
/// through the same scope gate) → the other gates (spend velocity, period budgets, envelopes) → send → settle → record.
/// </summary>
/// <remarks>
/// An embeddings call has no output: its worst case is its input, counted exactly for the OpenAI families. It counts as
/// a model call of its scopes. There is nothing to clamp, tools to drop nor stream to cut. Thread-safe.
/// </remarks>
internal sealed partial class EmbeddingPipeline(CallPipeline pipeline, TimeProvider time, ILogger logger)
{
    public CallPipeline Calls => pipeline;

    /// <summary>Runs every step up to the scope gate; the call is then reserved in its scopes, or refused, recorded and thrown.</summary>
    public Admission Admit(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options)
    {
        long start = time.GetTimestamp();
        DateTimeOffset startTime = time.GetUtcNow();
        string? modelId = options?.ModelId ?? pipeline.Models.DefaultModelId;
        if (modelId is not null && string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("EmbeddingGenerationOptions.ModelId is empty or white space; set a model id or leave it null to use the generator's default model.", nameof(options));
        }

        pipeline.Recorder.Ledger.ThrowIfUnavailable();
        if (!pipeline.TryAttribute(out CostAttribution attribution, out AttributionDimensions missing))
        {
            Refuse(attribution, modelId, $"missing attribution: {missing}");
            throw new MissingAttributionException(missing, attribution);
        }

        ModelProfile profile = pipeline.Models.Resolve(modelId);
        if (profile.Price is null && pipeline.UnknownModels == UnknownModelPolicy.Reject)
        {
            Refuse(attribution, modelId, modelId is null ? "no model named" : "unpriced model");
            throw new UnknownModelException(modelId);
        }

        InputTokenEstimate estimate = EmbeddingInputCounter.Estimate(inputs, profile.Tokenizer);
        long reserved = pipeline.Decider.Reserved(in estimate, profile);
        BudgetScope? scope = BudgetScope.Current;
        BudgetGate.Verdict verdict = pipeline.Decider.Admit(profile, reserved, wantedOutput: 0, scope);
        if (verdict.Decision == BudgetDecision.Rejected)
        {
            var rejected = new CostRecord
            {
                Timestamp = startTime,
                Attribution = attribution,
                ScopeName = scope?.Name,
                ScopeId = scope?.Id,
                ModelId = profile.ModelId,
                Provider = pipeline.Recorder.Provider,
                EstimatedInputTokens = estimate.Tokens,
                EstimatePrecision = estimate.Precision,
                CostSource = profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
                Decision = BudgetDecision.Rejected,
                LimitKind = verdict.LimitKind,
                LimitBudget = verdict.LimitBudget,
                Outcome = CallOutcome.NotSent,
                Kind = CallKind.Embedding,
            };
            pipeline.Recorder.Record(ref rejected, scope);
            Log.Rejected(logger, profile.ModelId, verdict.Rejection!.Message);
            throw verdict.Rejection;
        }

        return new Admission(start, startTime, attribution, profile, null, estimate, reserved, 0, scope, verdict, null, false, false, Kind: CallKind.Embedding);
    }

    /// <summary>
    /// Settles a call: charges what the provider reported (or, where it reported nothing, the count made before sending),
    /// commits it to the scopes in place of the reservation, and records it. What a cache answered is recorded at $0
    /// with the cost it avoided. Returns what the call used, for the gates.
    /// </summary>
    public BudgetUsage Settle(in Admission admission, IReadOnlyList<string> inputs, CallOutcome outcome, GeneratedEmbeddings<Embedding<float>>? generated, ProviderCallProbe? probe)
    {
        ModelProfile profile = admission.Profile;
        ModelPrice? price = profile.Price?.At(admission.StartTime);
        bool answeredByCache = probe is { Reached: false } && outcome == CallOutcome.Succeeded;

        // Behind a marker, what reached the provider is the marker's to tell: a cache answering part of a batch drops its usage.
        UsageDetails? reported = probe is { Reached: true } ? probe.ProviderUsage ?? generated?.Usage : generated?.Usage;
        long? reportedInput = reported?.InputTokenCount is > 0 ? reported.InputTokenCount : reported?.TotalTokenCount is > 0 ? reported.TotalTokenCount : null;
        bool estimated = reportedInput is null;
        IReadOnlyList<string> sent = probe is { Reached: true, SentValues: { } values } ? values : inputs;
        long wouldHaveSent = admission.Estimate.Tokens;

        // Not reported: a provider that failed the call billed nothing; one cancelled was sent the inputs.
        long input = reportedInput
            ?? (answeredByCache || outcome == CallOutcome.Failed ? 0
                : ReferenceEquals(sent, inputs) ? wouldHaveSent
                : EmbeddingInputCounter.Estimate(sent, profile.Tokenizer).Tokens);
        if (!estimated && !profile.Tokenizer.IsCounted && admission.Estimate.Precision == EstimatePrecision.Approximate && ReferenceEquals(sent, inputs))
        {
            pipeline.Calibrator.Learn(profile.ModelId, admission.Estimate, input);
        }

        PricedCost? priced = price?.GetCharge(new TokenUsage(input, 0), serviceTier: null);
        decimal? avoided = null;
        if (answeredByCache)
        {
            avoided = price?.GetCharge(new TokenUsage(wouldHaveSent, 0), serviceTier: null).Total ?? 0m;
        }
        else if (probe is { Reached: true } && probe.SentInputs < inputs.Count)
        {
            long cachedTokens = Math.Max(0, wouldHaveSent - EmbeddingInputCounter.Estimate(sent, profile.Tokenizer).Tokens);
            avoided = price?.GetCharge(new TokenUsage(cachedTokens, 0), serviceTier: null).Total ?? 0m;
        }

        var actual = new BudgetUsage(input, 0, priced?.Total ?? 0m);
        admission.Scope?.Settle(admission.Verdict.Reserved, actual);
        var record = new CostRecord
        {
            Timestamp = admission.StartTime,
            Duration = time.GetElapsedTime(admission.StartTimestamp),
            Attribution = admission.Attribution,
            ScopeName = admission.Scope?.Name,
            ScopeId = admission.Scope?.Id,
            ModelId = profile.ModelId,
            Provider = pipeline.Recorder.Provider,
            InputTokens = input,
            EstimatedInputTokens = profile.Tokenizer.IsCounted ? admission.Estimate.Tokens : admission.ReservedInput,
            EstimatePrecision = admission.Estimate.Precision,
            Cost = actual.Cost,
            CostSource = profile.Price is null ? CostSource.Unpriced : estimated && !answeredByCache ? CostSource.Estimated : CostSource.ProviderReported,
            Decision = admission.Verdict.Decision,
            LimitKind = admission.Verdict.LimitKind,
            LimitBudget = admission.Verdict.LimitBudget,
            Attempt = RetryAttempt.Current,
            Outcome = outcome,
            ServiceTier = priced?.ServiceTier,
            PricingNotes = priced?.Notes ?? PricingNotes.None,
            CostParts = priced?.Parts,
            Kind = CallKind.Embedding,
            AvoidedCost = avoided,
        };
        if (estimated && outcome == CallOutcome.Succeeded && !answeredByCache)
        {
            Log.NoUsage(logger, profile.ModelId);
        }

        pipeline.Recorder.Record(ref record, admission.Scope);
        return actual;
    }

    private void Refuse(CostAttribution attribution, string? modelId, string reason)
    {
        CostRecord record = CostRecord.Refusal(time.GetUtcNow(), attribution, modelId, pipeline.Recorder.Provider, streaming: false, reason, kind: null, budget: null) with { Kind = CallKind.Embedding };
        pipeline.Recorder.Record(ref record, BudgetScope.Current);
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "Embeddings call to '{ModelId}' rejected by its budget: {Reason}")]
        public static partial void Rejected(ILogger logger, string? modelId, string reason);

        [LoggerMessage(21, LogLevel.Warning, "The provider reported no usage for an embeddings call to '{ModelId}'; its inputs were counted instead.")]
        public static partial void NoUsage(ILogger logger, string? modelId);
    }
}
