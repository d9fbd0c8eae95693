namespace WebApi;

/// <summary>The body of a summary request.</summary>
/// <param name="Text">The text to summarize.</param>
internal sealed record SummaryRequest(string Text);
