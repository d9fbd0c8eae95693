using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>A model a <see cref="ModelRoute"/> may send a call to.</summary>
/// <remarks>What is not set here is read from the model's <see cref="ModelPrice"/> in the catalog.</remarks>
public sealed class RouteCandidate
{
    /// <summary>Gets or sets the model id, as the inner client takes it in <c>ChatOptions.ModelId</c>; it must have a price in the catalog.</summary>
    [Required]
    public string ModelId { get; set; } = string.Empty;

    /// <summary>Gets or sets the tier this candidate serves, such as <c>simple</c> or <c>complex</c>, named by a call's hint or the route's classifier.</summary>
    /// <value>The default, <see langword="null"/>, is in no tier: the candidate is considered only when a call names no tier.</value>
    public string? Tier { get; set; }

    /// <summary>Gets or sets what the model accepts beyond plain text, in place of the catalog's <see cref="ModelPrice.Capabilities"/>.</summary>
    /// <value>The default, <see langword="null"/>, uses the catalog's; a model whose capabilities neither states gets only requests that need none.</value>
    public ModelCapabilities? Capabilities { get; set; }

    /// <summary>Gets or sets the most tokens of input and output together the model takes, in place of the catalog's <see cref="ModelPrice.ContextWindow"/>.</summary>
    /// <value>The default, <see langword="null"/>, uses the catalog's; one of the two is required.</value>
    [Range(1, int.MaxValue)]
    public int? ContextWindow { get; set; }
}
