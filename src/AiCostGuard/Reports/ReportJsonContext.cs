using System.Text.Json.Serialization;

namespace AiCostGuard;

/// <summary>The JSON the exports write, generated at build time so a trimmed or native AOT application writes it too.</summary>
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
