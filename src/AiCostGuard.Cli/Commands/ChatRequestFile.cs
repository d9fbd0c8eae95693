using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// Reads OpenAI-format chat requests: messages <c>[{"role","content","name"?}]</c> and the <c>tools</c> array. Every
/// field is checked for its JSON kind, so a malformed request gets an error naming the message and the field.
/// </summary>
internal static class ChatRequestFile
{
    public static List<ChatMessage> ReadMessages(string option, string path)
    {
        string name = CommandFiles.Name(path);
        using JsonDocument document = CommandFiles.ReadJson(option, path);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CommandInputException($"{name}: the messages file must be a JSON array of {{\"role\", \"content\"}} objects.");
        }

        var messages = new List<ChatMessage>();
        int index = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            string at = $"{name}: message {index++}";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String || role.GetString() is not { Length: > 0 } roleName)
            {
                throw new CommandInputException($"{at} must be an object with a non-empty string \"role\".");
            }

            var message = new ChatMessage(new ChatRole(roleName), Contents(item, at));
            message.AuthorName = OptionalString(item, "name", at);
            messages.Add(message);
        }

        return messages;
    }

    public static List<AITool> ReadTools(string option, string path)
    {
        string name = CommandFiles.Name(path);
        using JsonDocument document = CommandFiles.ReadJson(option, path);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CommandInputException($"{name}: the tools file must be the JSON array of OpenAI's \"tools\" parameter.");
        }

        var tools = new List<AITool>();
        int index = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            string at = $"{name}: tool {index++}";
            JsonElement function = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("function", out JsonElement f) ? f : item;
            if (function.ValueKind != JsonValueKind.Object || !function.TryGetProperty("name", out JsonElement toolName) || toolName.ValueKind != JsonValueKind.String || toolName.GetString() is not { Length: > 0 } functionName)
            {
                throw new CommandInputException($"{at} must be {{\"type\": \"function\", \"function\": {{\"name\", \"description\", \"parameters\"}}}} with a non-empty string \"name\".");
            }

            string description = OptionalString(function, "description", at) ?? string.Empty;
            JsonElement parameters;
            if (!function.TryGetProperty("parameters", out JsonElement p) || p.ValueKind == JsonValueKind.Null)
            {
                using JsonDocument empty = JsonDocument.Parse("{}");
                parameters = empty.RootElement.Clone();
            }
            else if (p.ValueKind == JsonValueKind.Object)
            {
                parameters = p.Clone();
            }
            else
            {
                throw new CommandInputException($"{at}: \"parameters\" must be a JSON Schema object.");
            }

            tools.Add(AIFunctionFactory.CreateDeclaration(functionName, description, parameters));
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
        int index = 0;
        foreach (JsonElement part in content.EnumerateArray())
        {
            string partAt = $"{at}, part {index++}";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw new CommandInputException($"{partAt} must be {{\"type\": \"text\", \"text\"}} or {{\"type\": \"image_url\", \"image_url\": {{\"url\"}}}}.");
            }

            if (part.TryGetProperty("text", out JsonElement text))
            {
                parts.Add(new TextContent(text.ValueKind == JsonValueKind.String ? text.GetString() : throw new CommandInputException($"{partAt}: \"text\" must be a string.")));
            }
            else if (part.TryGetProperty("image_url", out JsonElement image))
            {
                parts.Add(Image(image, partAt));
            }
            else
            {
                throw new CommandInputException($"{partAt} must be {{\"type\": \"text\", \"text\"}} or {{\"type\": \"image_url\", \"image_url\": {{\"url\"}}}}.");
            }
        }

        return parts;
    }

    private static AIContent Image(JsonElement image, string at)
    {
        string? url;
        string? detail = null;
        if (image.ValueKind == JsonValueKind.String)
        {
            url = image.GetString();
        }
        else if (image.ValueKind == JsonValueKind.Object)
        {
            url = OptionalString(image, "url", at + ", image_url");
            detail = OptionalString(image, "detail", at + ", image_url");
        }
        else
        {
            throw new CommandInputException($"{at}: \"image_url\" must be a URL string or {{\"url\", \"detail\"?}}.");
        }

        if (string.IsNullOrEmpty(url))
        {
            throw new CommandInputException($"{at}: \"image_url\" needs a \"url\".");
        }

        if (detail is not null and not ("auto" or "low" or "high"))
        {
            throw new CommandInputException($"{at}: \"detail\" '{detail}' is not one of auto, low, high.");
        }

        AIContent picture;
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            try
            {
                picture = new DataContent(url);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CommandInputException($"{at}: the data URL is malformed ({e.Message}).");
            }
        }
        else
        {
            picture = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
                ? new UriContent(uri, "image/*")
                : throw new CommandInputException($"{at}: \"url\" must be an absolute URL or a data: URL.");
        }

        if (detail is not null)
        {
            picture.AdditionalProperties = new() { ["detail"] = detail };
        }

        return picture;
    }

    private static string? OptionalString(JsonElement parent, string property, string at) =>
        !parent.TryGetProperty(property, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new CommandInputException($"{at}: \"{property}\" must be a string.");
}
