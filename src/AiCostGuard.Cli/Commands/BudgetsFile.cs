using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// Reads period budgets from JSON in the shape of the options: an array of <see cref="PeriodBudgetOptions"/>, or an
/// object whose <c>PeriodBudgets</c> holds one (the <c>AiCostGuard</c> configuration section, or a whole settings file
/// holding it), property names in any case.
/// </summary>
internal static class BudgetsFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IReadOnlyList<PeriodBudgetOptions> Read(string path)
    {
        List<PeriodBudgetOptions?>? budgets;
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            JsonElement list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object && Property(list, "AiCostGuard") is { ValueKind: JsonValueKind.Object } section)
            {
                list = section;
            }

            if (list.ValueKind == JsonValueKind.Object)
            {
                list = Property(list, "PeriodBudgets");
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new CommandInputException($"{path}: expected an array of period budgets, or an object with \"PeriodBudgets\" (or \"AiCostGuard\": {{ \"PeriodBudgets\" }}).");
            }

            budgets = list.Deserialize<List<PeriodBudgetOptions?>>(Options);
        }
        catch (JsonException e)
        {
            string at = e.Path is { Length: > 1 } field ? $" at {field}" : string.Empty;
            throw new CommandInputException($"{path}{at}: {FirstSentence(e.Message)}");
        }

        var problems = new List<string>();
        for (int i = 0; i < budgets!.Count; i++)
        {
            problems.AddRange(budgets[i] is { } b ? b.Validate($"[{i}].") : [$"[{i}]: the budget is missing."]);
        }

        if (problems.Count > 0)
        {
            throw new CommandInputException($"{path}: " + string.Join(" ", problems));
        }

        return budgets!;
    }

    private static JsonElement Property(JsonElement e, string name) =>
        e.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string FirstSentence(string message)
    {
        int path = message.IndexOf(" Path:", StringComparison.Ordinal);
        return path > 0 ? message[..path] : message;
    }
}
