using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// OpenAI's Responses API (<c>POST /v1/responses</c>): usage with <c>input_tokens_details.cached_tokens</c> and
/// <c>output_tokens_details.reasoning_tokens</c>, in the response and, streamed, only in <c>response.completed</c>.
/// </summary>
public sealed class OpenAiResponsesWire : IProviderWire
{
    private const string ItemId = "msg_loopback";

    /// <inheritdoc/>
    public string StreamContentType => "text/event-stream";

    /// <inheritdoc/>
    public bool Serves(string path) => path.EndsWith("/responses", StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool IsStreaming(JsonElement body) => WireJson.True(body, "stream");

    /// <inheritdoc/>
    public string? RequestedModel(string path, JsonElement body) => WireJson.String(body, "model");

    /// <inheritdoc/>
    public byte[] Complete(ProviderReply reply, string model) => WireJson.Build(w => WriteResponse(w, reply, model, completed: true));

    /// <inheritdoc/>
    public StreamScript Stream(ProviderReply reply, string model, JsonElement request)
    {
        int sequence = 0;
        byte[] Event(string type, Action<Utf8JsonWriter> body) => WireJson.Sse(WireJson.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteNumber("sequence_number", sequence++);
            body(w);
            w.WriteEndObject();
        }), type);

        List<byte[]> head =
        [
            Event("response.created", w => { w.WritePropertyName("response"); WriteResponse(w, reply, model, completed: false); }),
            Event("response.in_progress", w => { w.WritePropertyName("response"); WriteResponse(w, reply, model, completed: false); }),
            Event("response.output_item.added", w =>
            {
                w.WriteNumber("output_index", 0);
                w.WritePropertyName("item");
                WriteMessage(w, text: null);
            }),
            Event("response.content_part.added", w =>
            {
                WritePartAddress(w);
                w.WritePropertyName("part");
                WriteOutputText(w, string.Empty);
            }),
        ];
        List<byte[]> deltas = [.. WireJson.Words(reply.Text).Select(piece => Event("response.output_text.delta", w =>
        {
            WritePartAddress(w);
            w.WriteString("delta", piece);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        }))];
        List<byte[]> tail =
        [
            Event("response.output_text.done", w =>
            {
                WritePartAddress(w);
                w.WriteString("text", reply.Text);
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            }),
            Event("response.content_part.done", w =>
            {
                WritePartAddress(w);
                w.WritePropertyName("part");
                WriteOutputText(w, reply.Text);
            }),
            Event("response.output_item.done", w =>
            {
                w.WriteNumber("output_index", 0);
                w.WritePropertyName("item");
                WriteMessage(w, reply.Text);
            }),
            Event("response.completed", w => { w.WritePropertyName("response"); WriteResponse(w, reply, model, completed: true); }),
        ];
        return new StreamScript(head, deltas, tail);
    }

    /// <inheritdoc/>
    public byte[] ErrorBody(int statusCode, string message) => OpenAiChatWire.OpenAiError(statusCode, message);

    private static void WriteResponse(Utf8JsonWriter w, ProviderReply reply, string model, bool completed)
    {
        w.WriteStartObject();
        w.WriteString("id", "resp_loopback");
        w.WriteString("object", "response");
        w.WriteNumber("created_at", 1_767_225_600);
        w.WriteString("status", completed ? "completed" : "in_progress");
        w.WriteNull("error");
        w.WriteNull("incomplete_details");
        w.WriteNull("instructions");
        w.WriteNull("max_output_tokens");
        w.WriteString("model", model);
        w.WriteStartArray("output");
        if (completed)
        {
            WriteMessage(w, reply.Text);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", true);
        w.WriteNull("previous_response_id");
        w.WriteStartObject("reasoning");
        w.WriteNull("effort");
        w.WriteNull("summary");
        w.WriteEndObject();
        w.WriteBoolean("store", false);
        w.WriteNumber("temperature", 1);
        w.WriteStartObject("text");
        w.WriteStartObject("format");
        w.WriteString("type", "text");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("tool_choice", "auto");
        w.WriteStartArray("tools");
        w.WriteEndArray();
        w.WriteNumber("top_p", 1);
        w.WriteString("truncation", "disabled");
        if (completed && reply.Usage is { } usage)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", usage.Input);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", usage.Cached);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", usage.Output);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", usage.Reasoning);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", usage.Input + usage.Output);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("usage");
        }

        w.WriteNull("user");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePartAddress(Utf8JsonWriter w)
    {
        w.WriteString("item_id", ItemId);
        w.WriteNumber("output_index", 0);
        w.WriteNumber("content_index", 0);
    }

    private static void WriteMessage(Utf8JsonWriter w, string? text)
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("id", ItemId);
        w.WriteString("status", text is null ? "in_progress" : "completed");
        w.WriteString("role", "assistant");
        w.WriteStartArray("content");
        if (text is not null)
        {
            WriteOutputText(w, text);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOutputText(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
