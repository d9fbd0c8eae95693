using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>Counts a function definition sent as a tool by OpenAI's published rule (per function, per property, per enum item).</summary>
internal static class FunctionDefinitionCounter
{
    public static int Count(AIFunctionDeclaration function, TiktokenEncoding encoding)
    {
        const int PropertiesInit = 3;
        const int PropertyKey = 3;
        const int EnumInit = -3;
        const int EnumItem = 3;

        int count = encoding.CountUncached($"{function.Name}:{WithoutFinalPeriod(function.Description)}");
        if (function.JsonSchema.ValueKind == JsonValueKind.Object
            && function.JsonSchema.TryGetProperty("properties", out JsonElement properties)
            && properties.ValueKind == JsonValueKind.Object)
        {
            bool any = false;
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                any = true;
                count += PropertyKey;
                JsonElement schema = property.Value;
                string type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out JsonElement t) ? t.ToString() : string.Empty;
                string description = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("description", out JsonElement d) ? d.ToString() : string.Empty;
                if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out JsonElement items) && items.ValueKind == JsonValueKind.Array)
                {
                    count += EnumInit;
                    foreach (JsonElement item in items.EnumerateArray())
                    {
                        count += EnumItem + encoding.CountUncached(item.ToString());
                    }
                }

                count += encoding.CountUncached($"{property.Name}:{type}:{WithoutFinalPeriod(description)}");
            }

            if (any)
            {
                count += PropertiesInit;
            }
        }

        return count;
    }

    // The published rule drops one final period from each description, no more.
    private static string WithoutFinalPeriod(string text) => text.EndsWith('.') ? text[..^1] : text;
}
