using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// Anthropic's Messages API (<c>POST /v1/messages</c>): <c>input_tokens</c> counts only uncached input, cache reads and
/// writes are reported beside it, and the split of writes by time to live is in <c>usage.cache_creation</c>. A stream is
/// <c>message_start</c> (with the input usage), content block events, then <c>message_delta</c> with the cumulative usage.
/// </summary>
public sealed class AnthropicWire : IProviderWire
{
    /// <inheritdoc/>
    public string StreamContentType => "text/event-stream";

    /// <inheritdoc/>
    public bool Serves(string path) => path.EndsWith("/v1/messages", StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool IsStreaming(JsonElement body) => WireJson.True(body, "stream");

    /// <inheritdoc/>
    public string? RequestedModel(string path, JsonElement body) => WireJson.String(body, "model");

    /// <inheritdoc/>
    public byte[] Complete(ProviderReply reply, string model) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        WriteMessage(w, model, reply.Text, "end_turn");
        WriteUsage(w, reply.Usage, reply.Usage?.Output ?? 0, withSplit: true);
        w.WriteEndObject();
    });

    /// <inheritdoc/>
    public StreamScript Stream(ProviderReply reply, string model, JsonElement request)
    {
        List<byte[]> head =
        [
            WireJson.Sse(WireJson.Build(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_start");
                w.WriteStartObject("message");
                WriteMessage(w, model, text: null, stopReason: null);
                WriteUsage(w, reply.Usage, output: reply.Usage is null ? 0 : 1, withSplit: true);
                w.WriteEndObject();
                w.WriteEndObject();
            }), "message_start"),
            WireJson.Sse("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""u8.ToArray(), "content_block_start"),
            WireJson.Sse("""{"type":"ping"}"""u8.ToArray(), "ping"),
        ];
        List<byte[]> deltas = [.. WireJson.Words(reply.Text).Select(piece => WireJson.Sse(WireJson.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_delta");
            w.WriteNumber("index", 0);
            w.WriteStartObject("delta");
            w.WriteString("type", "text_delta");
            w.WriteString("text", piece);
            w.WriteEndObject();
            w.WriteEndObject();
        }), "content_block_delta"))];
        List<byte[]> tail =
        [
            WireJson.Sse("""{"type":"content_block_stop","index":0}"""u8.ToArray(), "content_block_stop"),
            WireJson.Sse(WireJson.Build(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_delta");
                w.WriteStartObject("delta");
                w.WriteString("stop_reason", "end_turn");
                w.WriteNull("stop_sequence");
                w.WriteEndObject();
                WriteUsage(w, reply.Usage, reply.Usage?.Output ?? 0, withSplit: false);
                w.WriteEndObject();
            }), "message_delta"),
            WireJson.Sse("""{"type":"message_stop"}"""u8.ToArray(), "message_stop"),
        ];
        return new StreamScript(head, deltas, tail);
    }

    /// <inheritdoc/>
    public byte[] ErrorBody(int statusCode, string message) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", statusCode == 429 ? "rate_limit_error" : statusCode >= 500 ? "api_error" : "invalid_request_error");
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteMessage(Utf8JsonWriter w, string model, string? text, string? stopReason)
    {
        w.WriteString("id", "msg_loopback");
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
        w.WriteStartArray("content");
        if (text is not null)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", text);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (stopReason is null)
        {
            w.WriteNull("stop_reason");
        }
        else
        {
            w.WriteString("stop_reason", stopReason);
        }

        w.WriteNull("stop_sequence");
    }

    private static void WriteUsage(Utf8JsonWriter w, ScriptedUsage? scripted, int output, bool withSplit)
    {
        // Anthropic always reports usage, and its SDK rejects an answer without ("'usage' cannot be absent"): a script
        // without usage sends zeros, which only a stream cut before its end leaves unreported.
        ScriptedUsage usage = scripted ?? new ScriptedUsage { Input = 0, Output = 0 };

        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", usage.Uncached);
        w.WriteNumber("cache_creation_input_tokens", usage.CacheWrite5m + usage.CacheWrite1h);
        w.WriteNumber("cache_read_input_tokens", usage.Cached);
        if (withSplit)
        {
            w.WriteStartObject("cache_creation");
            w.WriteNumber("ephemeral_5m_input_tokens", usage.CacheWrite5m);
            w.WriteNumber("ephemeral_1h_input_tokens", usage.CacheWrite1h);
            w.WriteEndObject();
        }

        w.WriteNumber("output_tokens", output);
        w.WriteString("service_tier", "standard");
        w.WriteEndObject();
    }
}
