namespace WebApi;

/// <summary>The body of a summary response.</summary>
/// <param name="Summary">The model's summary.</param>
internal sealed record SummaryResponse(string Summary);
