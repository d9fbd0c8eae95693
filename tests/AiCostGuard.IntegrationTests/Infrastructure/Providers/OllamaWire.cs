using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// Ollama's chat API (<c>POST /api/chat</c>): usage is <c>prompt_eval_count</c> and <c>eval_count</c> on the final
/// (<c>done: true</c>) object, which Ollama leaves out, e.g. when the prompt was cached; a stream is newline-delimited
/// JSON, one object per delta. No cache or reasoning counts.
/// </summary>
public sealed class OllamaWire : IProviderWire
{
    /// <inheritdoc/>
    public string StreamContentType => "application/x-ndjson";

    /// <inheritdoc/>
    public bool Serves(string path) => path.EndsWith("/api/chat", StringComparison.Ordinal);

    // Ollama streams unless told not to.
    /// <inheritdoc/>
    public bool IsStreaming(JsonElement body) =>
        !(body.TryGetProperty("stream", out JsonElement stream) && stream.ValueKind == JsonValueKind.False);

    /// <inheritdoc/>
    public string? RequestedModel(string path, JsonElement body) => WireJson.String(body, "model");

    /// <inheritdoc/>
    public byte[] Complete(ProviderReply reply, string model) => Done(reply, model, reply.Text);

    /// <inheritdoc/>
    public StreamScript Stream(ProviderReply reply, string model, JsonElement request) => new(
        [],
        [.. WireJson.Words(reply.Text).Select(piece => WireJson.Line(WireJson.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteString("created_at", "2026-01-01T00:00:00Z");
            WriteMessage(w, piece);
            w.WriteBoolean("done", false);
            w.WriteEndObject();
        })))],
        [WireJson.Line(Done(reply, model, string.Empty))]);

    /// <inheritdoc/>
    public byte[] ErrorBody(int statusCode, string message) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static byte[] Done(ProviderReply reply, string model, string text) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteString("created_at", "2026-01-01T00:00:00Z");
        WriteMessage(w, text);
        w.WriteBoolean("done", true);
        w.WriteString("done_reason", "stop");
        w.WriteNumber("total_duration", 1_000_000);
        w.WriteNumber("load_duration", 1_000);
        if (reply.Usage is { } usage)
        {
            w.WriteNumber("prompt_eval_count", usage.Input);
            w.WriteNumber("prompt_eval_duration", 1_000);
            w.WriteNumber("eval_count", usage.Output);
            w.WriteNumber("eval_duration", 1_000);
        }

        w.WriteEndObject();
    });

    private static void WriteMessage(Utf8JsonWriter w, string content)
    {
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", content);
        w.WriteEndObject();
    }
}
