using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// OpenAI's Chat Completions (<c>POST …/chat/completions</c>), as OpenAI, Azure OpenAI (<c>/openai/deployments/{name}/…</c>,
/// the deployment in the path) and OpenAI-compatible servers speak it: input includes cached, output includes
/// reasoning; a stream carries usage in a last chunk only when the request asks for it (<c>stream_options.include_usage</c>).
/// </summary>
public sealed class OpenAiChatWire : IProviderWire
{
    /// <inheritdoc/>
    public string StreamContentType => "text/event-stream";

    /// <inheritdoc/>
    public bool Serves(string path) => path.EndsWith("/chat/completions", StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool IsStreaming(JsonElement body) => WireJson.True(body, "stream");

    /// <inheritdoc/>
    public string? RequestedModel(string path, JsonElement body)
    {
        const string Deployments = "/openai/deployments/";
        int at = path.IndexOf(Deployments, StringComparison.Ordinal);
        return at >= 0 ? path[(at + Deployments.Length)..path.IndexOf('/', at + Deployments.Length)] : WireJson.String(body, "model");
    }

    /// <inheritdoc/>
    public byte[] Complete(ProviderReply reply, string model) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        WriteEnvelope(w, "chat.completion", model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", reply.Text);
        w.WriteNull("refusal");
        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", "stop");
        w.WriteEndObject();
        w.WriteEndArray();
        if (reply.Usage is { } usage)
        {
            WriteUsage(w, usage);
        }

        w.WriteEndObject();
    });

    /// <inheritdoc/>
    public StreamScript Stream(ProviderReply reply, string model, JsonElement request)
    {
        bool includeUsage = request.TryGetProperty("stream_options", out JsonElement options) && WireJson.True(options, "include_usage");
        byte[] Chunk(Action<Utf8JsonWriter> delta, string? finish) => WireJson.Sse(WireJson.Build(w =>
        {
            w.WriteStartObject();
            WriteEnvelope(w, "chat.completion.chunk", model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("delta");
            delta(w);
            w.WriteEndObject();
            w.WriteNull("logprobs");
            if (finish is null)
            {
                w.WriteNull("finish_reason");
            }
            else
            {
                w.WriteString("finish_reason", finish);
            }

            w.WriteEndObject();
            w.WriteEndArray();
            if (includeUsage)
            {
                w.WriteNull("usage");
            }

            w.WriteEndObject();
        }));

        List<byte[]> head = [Chunk(w => { w.WriteString("role", "assistant"); w.WriteString("content", string.Empty); }, null)];
        List<byte[]> deltas = [.. WireJson.Words(reply.Text).Select(piece => Chunk(w => w.WriteString("content", piece), null))];
        List<byte[]> tail = [Chunk(static _ => { }, "stop")];
        if (includeUsage && reply.Usage is { } usage)
        {
            tail.Add(WireJson.Sse(WireJson.Build(w =>
            {
                w.WriteStartObject();
                WriteEnvelope(w, "chat.completion.chunk", model);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, usage);
                w.WriteEndObject();
            })));
        }

        tail.Add("data: [DONE]\n\n"u8.ToArray());
        return new StreamScript(head, deltas, tail);
    }

    /// <inheritdoc/>
    public byte[] ErrorBody(int statusCode, string message) => OpenAiError(statusCode, message);

    /// <summary>OpenAI's error body.</summary>
    internal static byte[] OpenAiError(int statusCode, string message) => WireJson.Build(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", statusCode == 429 ? "requests" : statusCode >= 500 ? "server_error" : "invalid_request_error");
        w.WriteNull("param");
        w.WriteNull("code");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteEnvelope(Utf8JsonWriter w, string objectType, string model)
    {
        w.WriteString("id", "chatcmpl-loopback");
        w.WriteString("object", objectType);
        w.WriteNumber("created", 1_767_225_600);
        w.WriteString("model", model);
        w.WriteString("system_fingerprint", "fp_loopback");
    }

    private static void WriteUsage(Utf8JsonWriter w, ScriptedUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.Input);
        w.WriteNumber("completion_tokens", usage.Output);
        w.WriteNumber("total_tokens", usage.Input + usage.Output);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage.Cached);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.Reasoning);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
