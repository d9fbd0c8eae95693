using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>JSON and framing helpers the wire formats share.</summary>
internal static class WireJson
{
    /// <summary>Writes one JSON document.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A server-sent event: <c>event: name</c> when named, then <c>data: json</c>.</summary>
    public static byte[] Sse(byte[] json, string? eventName = null) =>
        [.. Encoding.UTF8.GetBytes(eventName is null ? "data: " : $"event: {eventName}\ndata: "), .. json, (byte)'\n', (byte)'\n'];

    /// <summary>A newline-delimited JSON line.</summary>
    public static byte[] Line(byte[] json) => [.. json, (byte)'\n'];

    /// <summary>The text as streamed deltas: one word with its leading space each.</summary>
    public static List<string> Words(string text)
    {
        var pieces = new List<string>();
        int start = 0;
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] == ' ' && text[i - 1] != ' ')
            {
                pieces.Add(text[start..i]);
                start = i;
            }
        }

        if (start < text.Length)
        {
            pieces.Add(text[start..]);
        }

        return pieces;
    }

    /// <summary>Reads a string property of a request body, or <see langword="null"/>.</summary>
    public static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Whether a request body has <c>name: true</c>.</summary>
    public static bool True(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
