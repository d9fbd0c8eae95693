using System.ComponentModel.DataAnnotations;

namespace AiCostGuard;

/// <summary>
/// Configures how input that cannot be measured before sending is bounded: a file the request only refers to (a
/// <c>HostedFileContent</c> of unknown size, a <c>HostedVectorStoreContent</c>, a <c>UriContent</c> that is not an image) and
/// content of a kind no published rule covers.
/// </summary>
/// <remarks>
/// Images, PDFs, audio and video given as bytes are bounded by the providers' published rules and need no setting; see
/// the README's table of content rules. The bound is reserved before the call is sent, so a ceiling holds whatever the
/// file turns out to hold; the provider's reported usage is what is charged afterwards.
/// </remarks>
public sealed class ContentBoundOptions
{
    /// <summary>The default of <see cref="MaximumTokensPerFileReference"/>: the largest context window of the models in the bundled catalog (1M tokens).</summary>
    public const int DefaultMaximumTokensPerFileReference = 1_000_000;

    /// <summary>
    /// Gets or sets the input tokens a file the request refers to but does not carry is bounded by: a hosted file whose
    /// size is unknown, a vector store, a non-image URI, or content of an unknown kind that cannot be serialized.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaximumTokensPerFileReference"/>; set it to the most your files hold.</value>
    [Range(1, 100_000_000)]
    public int MaximumTokensPerFileReference { get; set; } = DefaultMaximumTokensPerFileReference;

    /// <summary>Returns a copy, so that changing it does not change the options of another pipeline.</summary>
    /// <returns>The copy.</returns>
    public ContentBoundOptions Clone() => (ContentBoundOptions)MemberwiseClone();
}
