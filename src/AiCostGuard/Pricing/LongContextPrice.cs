using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// The rates of a model above a long-context threshold: when a request's input, cached and cache-write tokens included, is
/// above <see cref="AboveInputTokens"/>, the <b>whole</b> request (input and output) is priced at these rates.
/// </summary>
/// <remarks>
/// <para>
/// A request with exactly <see cref="AboveInputTokens"/> input tokens stays at the lower rates, as providers publish it
/// ("prompts longer than 200k tokens"). A rate left <see langword="null"/> keeps the rate the request would have had
/// below the threshold, so a tier need only state what changes.
/// </para>
/// <para>Immutable once published in a <see cref="PriceCatalog"/>; bind it from configuration with object initializers.</para>
/// </remarks>
public sealed record LongContextPrice : RateOverrides
{
    /// <summary>Gets the threshold: input counts strictly above it move the request to these rates.</summary>
    [Range(1, long.MaxValue)]
    public long AboveInputTokens { get; init; }
}
