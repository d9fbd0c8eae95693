using System.Text.Json;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>A provider's wire format: which requests it serves and how it encodes a <see cref="ProviderReply"/>.</summary>
public interface IProviderWire
{
    /// <summary>The media type of a streamed answer (<c>text/event-stream</c>, or <c>application/x-ndjson</c> for Ollama).</summary>
    string StreamContentType { get; }

    /// <summary>Whether this format serves <paramref name="path"/> (e.g. <c>/v1/messages</c>).</summary>
    bool Serves(string path);

    /// <summary>Whether the request asks for a stream.</summary>
    bool IsStreaming(JsonElement body);

    /// <summary>The model the request asks for (from the body, or the path for Azure deployments).</summary>
    string? RequestedModel(string path, JsonElement body);

    /// <summary>A whole (non-streamed) answer's body.</summary>
    byte[] Complete(ProviderReply reply, string model);

    /// <summary>A streamed answer's frames.</summary>
    StreamScript Stream(ProviderReply reply, string model, JsonElement request);

    /// <summary>The provider's error body for <paramref name="statusCode"/>.</summary>
    byte[] ErrorBody(int statusCode, string message);
}
