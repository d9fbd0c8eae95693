using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>
/// The settle step: turns what the provider reported (or, where it reported nothing, an estimate) into the call's
/// usage and cost, commits them to its scopes in place of the reservation, and records the call.
/// </summary>
/// <remarks>
/// Settling never loses a billed call nor keeps a hold: should working out the usage or the cost fail, the call is
/// charged its reserved worst case, flagged as estimated, and still committed and recorded.
/// </remarks>
internal sealed partial class CallSettlement(ModelResolver models, CallRecorder recorder, InputTokenCalibrator calibrator, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Settles a call that ended with <paramref name="outcome"/>; returns what it used, for the gates. The provider's raw
    /// response (<paramref name="rawUsage"/> for a stream, else the response's) holds what its adapter may not pass on,
    /// such as Anthropic's split of cache writes by time to live. A call <paramref name="answeredByCache"/> is priced as
    /// it would have been, and recorded at zero with that price as its <see cref="CostRecord.AvoidedCost"/>.
    /// </summary>
    public BudgetUsage Settle(in Admission admission, IEnumerable<ChatMessage> messages, CallOutcome outcome, UsageDetails? reported, ChatResponse? response, long streamedOutput, BudgetLimitKind? cut, string? answeringModelId = null, object? rawUsage = null, bool answeredByCache = false)
    {
        // The charge is filled in place and read by reference: its usage and priced parts are large, and this runs once per call.
        Charge charge;
        try
        {
            Price(in admission, messages, outcome, reported, rawUsage ?? response?.RawRepresentation, response, streamedOutput, cut, answeringModelId ?? response?.ModelId, out charge);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.SettleFailed(logger, admission.Profile.ModelId, e);
            WorstCase(in admission, out charge);
        }

        ref readonly TokenUsage usage = ref charge.Usage;
        var actual = answeredByCache ? default : new BudgetUsage(usage.InputTokens, usage.OutputTokens, charge.Cost);
        admission.Scope?.Settle(admission.Verdict.Reserved, actual);
        var record = new CostRecord
        {
            Timestamp = admission.StartTime,
            Duration = time.GetElapsedTime(admission.StartTimestamp),
            Attribution = admission.Attribution,
            ScopeName = admission.Scope?.Name,
            ScopeId = admission.Scope?.Id,
            ModelId = charge.Profile.ModelId,
            RequestedModelId = admission.RequestedModelId ?? (charge.OutsideFamily ? admission.Profile.ModelId : null),
            Provider = recorder.Provider,
            IsStreaming = admission.IsStreaming,
            InputTokens = usage.InputTokens,
            CachedInputTokens = usage.CachedInputTokens,
            OutputTokens = usage.OutputTokens,
            ReasoningTokens = usage.ReasoningTokens,
            // What was reserved for an estimated family (the calibrated bound), so the estimate-error metric measures it.
            EstimatedInputTokens = admission.Profile.Tokenizer.IsCounted ? admission.Estimate.Tokens : admission.ReservedInput,
            EstimatePrecision = admission.Estimate.Precision,
            Cost = charge.Cost,
            CostSource = charge.Source,
            Decision = cut is not null ? BudgetDecision.Cut : PolicyVerdict.Recorded(admission.Verdict.Decision, admission.ShadowPolicy),
            LimitKind = cut ?? admission.Verdict.LimitKind,
            LimitBudget = admission.Verdict.LimitBudget,
            MaximumOutputTokens = admission.OutputTokens,
            Attempt = RetryAttempt.Current,
            Outcome = outcome,
            CacheWriteTokens = usage.AllCacheWriteTokens,
            ServiceTier = charge.IsPriced ? charge.Priced.ServiceTier : null,
            PricingNotes = charge.Priced.Notes,
            CostParts = charge.IsPriced ? charge.Priced.Parts : null,
            PolicyName = admission.ShadowPolicy,
            BudgetTier = admission.BudgetTier,
        };
        if (answeredByCache)
        {
            AnsweredByCache(ref record);
        }

        recorder.Record(ref record, admission.Scope);
        return actual;
    }

    /// <summary>A call a response cache answered is recorded at zero, with what it would have cost as the cost it avoided.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AnsweredByCache(ref CostRecord record) =>
        record = record with { InputTokens = 0, CachedInputTokens = 0, OutputTokens = 0, ReasoningTokens = 0, CacheWriteTokens = 0, Cost = 0m, CostParts = null, AvoidedCost = record.Cost };

    /// <summary>What a call is charged when working out its usage or cost failed: its reserved worst case, as an estimate.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WorstCase(in Admission admission, out Charge charge)
    {
        BudgetUsage worstCase = admission.Verdict.Reserved.Cost > 0 || admission.Profile.Price is null
            ? admission.Verdict.Reserved
            : new BudgetUsage(admission.ReservedInput, admission.OutputTokens, admission.Profile.Price.GetWorstCaseCost(admission.ReservedInput, admission.OutputTokens));
        charge = new Charge
        {
            Profile = admission.Profile,
            Usage = new TokenUsage(worstCase.InputTokens, worstCase.OutputTokens),
            Cost = worstCase.Cost,
            Source = admission.Profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
        };
    }

    private void Price(in Admission admission, IEnumerable<ChatMessage> messages, CallOutcome outcome, UsageDetails? reported, object? rawUsage, ChatResponse? response, long streamedOutput, BudgetLimitKind? cut, string? answeringModelId, out Charge charge)
    {
        // Copy the numbers out at once: a tool loop adds later iterations into the first response's UsageDetails.
        // Normalizing once (Anthropic-style cache reads and writes folded into input) means every token is priced once.
        charge = default;
        if (reported is not null)
        {
            charge.Usage = TokenUsage.FromUsageDetails(reported, rawUsage);
        }

        // Zero input for a sent prompt, or zero output beside an answer, is a client that fills what the provider did
        // not report with zeros (OllamaSharp): not reported, so estimated and flagged, never a silent $0.
        long? input = Positive(reported?.InputTokenCount) is null or 0 ? null : charge.Usage.InputTokens;
        long? output = Positive(reported?.OutputTokenCount);
        if (output == 0 && (streamedOutput > 0 || response?.Text is { Length: > 0 }))
        {
            output = null;
        }

        long cached = charge.Usage.CachedInputTokens;
        ModelProfile profile = models.Answering(admission.Profile, answeringModelId, out bool outsideFamily);
        bool estimated = input is null || output is null;

        // Nothing reported: the provider was at least sent the prompt unless the call failed before answering.
        input ??= outcome is CallOutcome.Failed && streamedOutput == 0 ? 0 : ExactInput(in admission, messages);
        output ??= response is not null ? TokenEstimator.EstimateOutputTokens(response.Text, profile.ModelId) : streamedOutput;
        if (cached > input)
        {
            Log.CachedAboveInput(logger, profile.ModelId, cached, input.Value);
            cached = input.Value;
        }

        if (!estimated && !admission.Profile.Tokenizer.IsCounted && admission.Estimate.Precision == EstimatePrecision.Approximate)
        {
            calibrator.Learn(admission.Profile.ModelId, admission.Estimate, input.Value);
        }

        charge.Usage = charge.Usage.FittedTo(input.Value, output.Value, cached);
        string? serviceTier = ServiceTiers.FromResponse(response) ?? ServiceTiers.FromOptions(admission.Options);
        if (profile.Price is { } price)
        {
            price.At(admission.StartTime).GetCharge(in charge.Usage, serviceTier, out charge.Priced);
            charge.IsPriced = true;
        }

        if (outsideFamily)
        {
            DearerOfFamilies(in admission, ref charge, serviceTier, profile.ModelId);
        }

        if (estimated && outcome == CallOutcome.Succeeded && cut is null)
        {
            Log.NoUsage(logger, profile.ModelId);
        }

        charge.Profile = profile;
        charge.Cost = charge.IsPriced ? charge.Priced.Total : 0m;
        charge.Source = profile.Price is null ? CostSource.Unpriced : estimated ? CostSource.Estimated : CostSource.ProviderReported;
        charge.OutsideFamily = outsideFamily;
    }

    /// <summary>A response may not name its own price: of the model asked for and the model named, the dearer is charged.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DearerOfFamilies(in Admission admission, ref Charge charge, string? serviceTier, string? answeringModelId)
    {
        admission.Profile.Standard.Price!.At(admission.StartTime).GetCharge(in charge.Usage, serviceTier, out PricedCost asked);
        PricedCost dearer = charge.IsPriced && charge.Priced.Total >= asked.Total ? charge.Priced : asked;
        charge.Priced = dearer with { Notes = dearer.Notes | PricingNotes.ReportedModelMismatch };
        charge.IsPriced = true;
        Log.ReportedModelMismatch(logger, admission.Profile.ModelId, answeringModelId);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ExactInput(in Admission admission, IEnumerable<ChatMessage> messages) =>
        admission.Estimate.Precision == EstimatePrecision.Exact || !admission.Profile.Tokenizer.IsCounted
            ? admission.Estimate.Tokens
            : admission.Profile.Tokenizer.Estimate(messages, admission.Options, exactAbove: 0).Tokens;

    private static long? Positive(long? value) => value is >= 0 ? value : null;

    /// <summary>What a call is charged: the model it is priced by, its usage, the priced breakdown and where the cost came from.</summary>
    private struct Charge
    {
        public ModelProfile Profile;
        public TokenUsage Usage;

        /// <summary>The priced breakdown; meaningful when <see cref="IsPriced"/>.</summary>
        public PricedCost Priced;
        public bool IsPriced;
        public decimal Cost;
        public CostSource Source;
        public bool OutsideFamily;
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Warning, "The provider reported no usage for a call to '{ModelId}'; its cost was estimated.")]
        public static partial void NoUsage(ILogger logger, string? modelId);

        [LoggerMessage(3, LogLevel.Warning, "The provider reported {Cached} cached input tokens for a call to '{ModelId}' but only {Input} input tokens; the cached count was capped at the input count.")]
        public static partial void CachedAboveInput(ILogger logger, string? modelId, long cached, long input);

        [LoggerMessage(7, LogLevel.Warning, "A call to '{Requested}' was answered by '{Reported}', a model of another family; it was priced at the dearer of the two.")]
        public static partial void ReportedModelMismatch(ILogger logger, string? requested, string? reported);

        [LoggerMessage(5, LogLevel.Error, "Settling a call to '{ModelId}' failed; it was charged its reserved worst case.")]
        public static partial void SettleFailed(ILogger logger, string? modelId, Exception exception);
    }
}
