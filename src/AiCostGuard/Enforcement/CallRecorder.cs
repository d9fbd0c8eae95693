using Microsoft.Extensions.Logging;

namespace AiCostGuard;

/// <summary>The record step of the pipeline: every call — refused, sent, failed — is observed (telemetry) and then written to the ledger.</summary>
/// <remarks>
/// A ledger that throws must not turn a call the provider already billed into a failure, nor leave its budgets held:
/// the record is counted as dropped (<c>aicostguard.ledger.dropped</c>) and logged, and the call goes on.
/// </remarks>
internal sealed partial class CallRecorder(ICostLedger ledger, ICostRecordObserver observer, TimeProvider time, string? provider, ILogger logger)
{
    public ICostLedger Ledger => ledger;

    public string? Provider => provider;

    /// <summary>Observes <paramref name="record"/> (which may stamp it) and writes it to the ledger.</summary>
    /// <remarks>By reference: the record is large, and this runs once per call.</remarks>
    public void Record(ref CostRecord record, BudgetScope? scope)
    {
        if (record.Attempt == 0 && (record.Outcome == CallOutcome.NotSent || record.Decision == BudgetDecision.Rejected))
        {
            NameAttempt(ref record);
        }

        observer.Observe(ref record, scope);
        Write(in record);
    }

    /// <summary>Writes <paramref name="record"/> to the ledger without observing it; a record the ledger does not take is counted as dropped and logged.</summary>
    public void Write(in CostRecord record)
    {
        try
        {
            ledger.Record(in record);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CostLedgerTotals.AddDropped(1);
            Log.RecordLost(logger, record.Decision, record.ModelId, record.Cost, e);
        }
    }

    /// <summary>A refusal names the retry attempt it refused, as a settled call does; out of line, so a settled call does not make room for a copy of its record.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void NameAttempt(ref CostRecord record) => record = record with { Attempt = RetryAttempt.Current };

    /// <summary>Records a call refused before it was sent.</summary>
    public void Refuse(CostAttribution attribution, string? modelId, bool streaming, string reason, BudgetLimitKind? kind = null, string? budget = null, long estimatedInput = 0)
    {
        CostRecord record = CostRecord.Refusal(time.GetUtcNow(), attribution, modelId, provider, streaming, reason, kind, budget, estimatedInput);
        Record(ref record, BudgetScope.Current);
    }

    /// <summary>Records a call a gate refused after its scopes admitted it, with what it was admitted as.</summary>
    public void Refuse(in Admission admission, Exception refusal)
    {
        var budgetRefusal = refusal as BudgetExceededException;
        var record = new CostRecord
        {
            Timestamp = time.GetUtcNow(),
            Attribution = admission.Attribution,
            ScopeName = admission.Scope?.Name,
            ScopeId = admission.Scope?.Id,
            ModelId = admission.Profile.ModelId,
            Provider = provider,
            IsStreaming = admission.IsStreaming,
            EstimatedInputTokens = admission.Estimate.Tokens,
            EstimatePrecision = admission.Estimate.Precision,
            CostSource = admission.Profile.Price is null ? CostSource.Unpriced : CostSource.Estimated,
            Decision = BudgetDecision.Rejected,
            LimitKind = budgetRefusal?.LimitKind,
            LimitBudget = budgetRefusal?.BudgetName,
            MaximumOutputTokens = admission.OutputTokens,
            Outcome = refusal is OperationCanceledException ? CallOutcome.Cancelled : CallOutcome.NotSent,
            RefusalReason = refusal.Message,
            PolicyName = admission.ShadowPolicy,
            BudgetTier = budgetRefusal?.BudgetTier,
            Kind = admission.Kind,
        };
        Record(ref record, admission.Scope);
    }

    private static partial class Log
    {
        [LoggerMessage(6, LogLevel.Error, "The ledger did not take the record ({Decision}) of a call to '{ModelId}' costing ${Cost}; it is counted as dropped.")]
        public static partial void RecordLost(ILogger logger, BudgetDecision decision, string? modelId, decimal cost, Exception exception);
    }
}
