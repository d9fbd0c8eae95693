using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>A tool call's arguments and a tool's result as the compact JSON they are counted as.</summary>
/// <remarks>
/// Types are resolved as Microsoft.Extensions.AI resolves them: its own content types always, any other type by
/// reflection where the application allows it. In a native AOT application a result of a type no resolver knows
/// fails here as it would fail in the provider's adapter that sends it.
/// </remarks>
internal static class ToolJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { TypeInfoResolver = AIJsonUtilities.DefaultOptions.TypeInfoResolver };

    private static readonly JsonTypeInfo ArgumentsInfo = Options.GetTypeInfo(typeof(IDictionary<string, object?>));

    private static readonly JsonTypeInfo ValueInfo = Options.GetTypeInfo(typeof(object));

    public static string Arguments(IDictionary<string, object?>? arguments) => JsonSerializer.Serialize(arguments, ArgumentsInfo);

    public static string Value(object value) => JsonSerializer.Serialize(value, ValueInfo);

    /// <summary>Content of a kind without a counting rule of its own, as Microsoft.Extensions.AI serializes it.</summary>
    public static string Content(AIContent content) => JsonSerializer.Serialize(content, AIJsonUtilities.DefaultOptions.GetTypeInfo(content.GetType()));
}
