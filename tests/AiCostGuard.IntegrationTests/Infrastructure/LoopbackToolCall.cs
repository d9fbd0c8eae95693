namespace AiCostGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A function call the scripted assistant asks the client to make, as OpenAI encodes it in
/// <c>choices[0].message.tool_calls</c> (or the streamed <c>delta.tool_calls</c>).
/// </summary>
/// <param name="Id">The call id (OpenAI uses <c>call_…</c>); the client echoes it back with the tool result.</param>
/// <param name="Name">The function name the model "chose".</param>
/// <param name="ArgumentsJson">
/// The arguments exactly as the wire carries them: a JSON object serialized into a string.
/// It is sent verbatim so tests can also script malformed arguments.
/// </param>
public sealed record LoopbackToolCall(string Id, string Name, string ArgumentsJson);
