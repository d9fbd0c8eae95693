namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// A streamed answer as a wire format lays it out: what precedes the content, one frame per content delta, and what
/// follows (finish, usage, end marker), so the server can hold or fail a stream after a given number of deltas
/// whatever the provider.
/// </summary>
/// <param name="Head">Frames before the first delta (e.g. Anthropic's <c>message_start</c>).</param>
/// <param name="Deltas">One frame per content delta.</param>
/// <param name="Tail">Frames after the last delta.</param>
public sealed record StreamScript(IReadOnlyList<byte[]> Head, IReadOnlyList<byte[]> Deltas, IReadOnlyList<byte[]> Tail);
