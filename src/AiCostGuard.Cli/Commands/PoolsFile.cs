using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>Reads GPU pool definitions: an array of <c>{"name", "costPerHour", "models": [...], "capacityTokensPerSecond"}</c>, or an object whose <c>pools</c> holds one.</summary>
internal static class PoolsFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static IReadOnlyList<GpuPool> Read(string path)
    {
        List<GpuPool>? pools;
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            JsonElement list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object)
            {
                list = list.EnumerateObject().FirstOrDefault(p => p.Name.Equals("pools", StringComparison.OrdinalIgnoreCase)).Value;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new CommandInputException($"{path}: expected an array of pools, or an object with \"pools\".");
            }

            pools = list.Deserialize<List<GpuPool>>(Options);
        }
        catch (JsonException e)
        {
            string at = e.Path is { Length: > 1 } field ? $" at {field}" : string.Empty;
            int cut = e.Message.IndexOf(" Path:", StringComparison.Ordinal);
            throw new CommandInputException($"{path}{at}: {(cut > 0 ? e.Message[..cut] : e.Message)}");
        }

        IReadOnlyList<string> problems = GpuPool.Validate(pools!);
        return problems.Count == 0 ? pools! : throw new CommandInputException($"{path}: " + string.Join(" ", problems));
    }
}
