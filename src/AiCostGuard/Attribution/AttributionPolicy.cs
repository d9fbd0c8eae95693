namespace AiCostGuard;

/// <summary>
/// The attribution rule of the call pipeline: which dimensions every call must carry, and what happens to a call
/// without them — rejected, or booked to an explicit <c>unattributed</c> bucket.
/// </summary>
internal sealed class AttributionPolicy(AttributionDimensions required, UnattributedCallPolicy unattributedCalls)
{
    /// <summary>
    /// Applies the rule to <paramref name="attribution"/>: returns it, or its copy booked as unattributed on the missing
    /// dimensions; <see langword="false"/> with what is missing when the call must be rejected.
    /// </summary>
    public bool TryApply(ref CostAttribution attribution, out AttributionDimensions missing)
    {
        missing = required == AttributionDimensions.None ? AttributionDimensions.None : attribution.GetMissing(required);
        if (missing == AttributionDimensions.None)
        {
            return true;
        }

        if (unattributedCalls == UnattributedCallPolicy.Reject)
        {
            return false;
        }

        attribution = attribution.WithUnattributed(missing);
        missing = AttributionDimensions.None;
        return true;
    }
}
