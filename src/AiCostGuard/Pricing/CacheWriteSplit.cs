using System.Text.Json;

namespace AiCostGuard;

/// <summary>
/// Reads the split of cache writes by time to live from a provider's raw response, where its Microsoft.Extensions.AI
/// adapter passes only their total: Anthropic's SDK reports <c>CacheCreationInputTokens</c> in
/// <c>UsageDetails.AdditionalCounts</c>, while the 5-minute and 1-hour parts, priced at different rates, are only in
/// <c>usage.cache_creation</c> of the <c>RawRepresentation</c> (the message, or a stream's <c>message_start</c>).
/// </summary>
/// <remarks>
/// The raw object is the SDK's own type, which this library does not reference: Anthropic's models print their JSON
/// (<see cref="object.ToString"/>), which is read without reflection, so a trimmed or native AOT application reads it
/// too. Only calls that wrote to the cache pay for it.
/// </remarks>
internal static class CacheWriteSplit
{
    /// <summary>Reads the 5-minute and 1-hour cache writes from <paramref name="raw"/>; <see langword="false"/> when it holds no split.</summary>
    public static bool TryRead(object? raw, out long fiveMinute, out long oneHour)
    {
        fiveMinute = 0;
        oneHour = 0;
        JsonElement? usage = raw switch
        {
            null => null,
            JsonElement element => UsageOf(element),
            IReadOnlyDictionary<string, JsonElement> properties => UsageOf(properties),
            _ => UsageOf(raw.ToString()),
        };

        if (usage is not { ValueKind: JsonValueKind.Object } found
            || !found.TryGetProperty("cache_creation", out JsonElement split)
            || split.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        fiveMinute = Count(split, "ephemeral_5m_input_tokens");
        oneHour = Count(split, "ephemeral_1h_input_tokens");
        return fiveMinute + oneHour > 0;
    }

    private static JsonElement? UsageOf(string? printed)
    {
        if (printed is null || !printed.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(printed);
            return UsageOf(document.RootElement)?.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The usage is at the root of a message and under "message" in a stream's message_start.
    private static JsonElement? UsageOf(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (element.TryGetProperty("usage", out JsonElement usage))
        {
            return usage;
        }

        return element.TryGetProperty("message", out JsonElement message) && message.ValueKind == JsonValueKind.Object && message.TryGetProperty("usage", out usage)
            ? usage
            : null;
    }

    private static JsonElement? UsageOf(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue("usage", out JsonElement usage) ? usage
        : properties.TryGetValue("message", out JsonElement message) ? UsageOf(message)
        : null;

    private static long Count(JsonElement split, string name) =>
        split.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long count) && count > 0 ? count : 0;
}
