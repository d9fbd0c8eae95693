using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>Reads OpenAI-format chat requests: messages <c>[{"role","content","name"?}]</c> and the <c>tools</c> array.</summary>
internal static class ChatRequestFile
{
    public static List<ChatMessage> ReadMessages(string path)
    {
        using JsonDocument document = Parse(path);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CommandInputException($"{path}: the messages file must be a JSON array of {{\"role\", \"content\"}} objects.");
        }

        var messages = new List<ChatMessage>();
        int index = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            string at = $"{path}: message {index++}";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String)
            {
                throw new CommandInputException($"{at} must be an object with a string \"role\".");
            }

            var message = new ChatMessage(new ChatRole(role.GetString()!), Contents(item, at));
            if (item.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
            {
                message.AuthorName = name.GetString();
            }

            messages.Add(message);
        }

        return messages;
    }

    public static List<AITool> ReadTools(string path)
    {
        using JsonDocument document = Parse(path);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CommandInputException($"{path}: the tools file must be the JSON array of OpenAI's \"tools\" parameter.");
        }

        var tools = new List<AITool>();
        int index = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            string at = $"{path}: tool {index++}";
            JsonElement function = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("function", out JsonElement f) ? f : item;
            if (function.ValueKind != JsonValueKind.Object || !function.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String)
            {
                throw new CommandInputException($"{at} must be {{\"type\": \"function\", \"function\": {{\"name\", \"description\", \"parameters\"}}}}.");
            }

            string description = function.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : string.Empty;
            JsonElement parameters = function.TryGetProperty("parameters", out JsonElement p) ? p.Clone() : JsonDocument.Parse("{}").RootElement;
            tools.Add(AIFunctionFactory.CreateDeclaration(name.GetString()!, description, parameters));
        }

        return tools;
    }

    private static List<AIContent> Contents(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out JsonElement content) || content.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return [new TextContent(content.GetString())];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new CommandInputException($"{at}: \"content\" must be a string or an array of parts.");
        }

        var parts = new List<AIContent>();
        foreach (JsonElement part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String)
            {
                parts.Add(new TextContent(text.GetString()));
            }
            else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("image_url", out JsonElement image))
            {
                string? url = image.ValueKind == JsonValueKind.String ? image.GetString() : image.TryGetProperty("url", out JsonElement u) ? u.GetString() : null;
                string? detail = image.ValueKind == JsonValueKind.Object && image.TryGetProperty("detail", out JsonElement dt) ? dt.GetString() : null;
                AIContent picture = url is not null && url.StartsWith("data:", StringComparison.Ordinal) ? new DataContent(url) : new UriContent(url ?? "https://invalid/", "image/*");
                if (detail is not null)
                {
                    picture.AdditionalProperties = new() { ["detail"] = detail };
                }

                parts.Add(picture);
            }
            else
            {
                throw new CommandInputException($"{at}: each content part must be {{\"type\": \"text\", \"text\"}} or {{\"type\": \"image_url\", \"image_url\"}}.");
            }
        }

        return parts;
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            using FileStream file = File.OpenRead(path);
            return JsonDocument.Parse(file);
        }
        catch (JsonException e)
        {
            throw new CommandInputException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
