using System.CommandLine;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>count --encoding E --text-file F</c>: the tiktoken count of a text file, as providers count user text;
/// <c>count --model M --messages-file F [--tools-file T]</c>: the prompt tokens of an OpenAI-format chat request.
/// </summary>
internal static class CountCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var encoding = new Option<string>("--encoding") { Description = "o200k_base or cl100k_base (with --text-file)." };
        var textFile = new Option<FileInfo>("--text-file") { Description = "A UTF-8 text file to count." };
        var model = new Option<string>("--model") { Description = "The model the request is for (with --messages-file)." };
        var messagesFile = new Option<FileInfo>("--messages-file") { Description = "OpenAI-format messages: [{\"role\", \"content\", \"name\"?}]." };
        var toolsFile = new Option<FileInfo>("--tools-file") { Description = "OpenAI's \"tools\" array." };
        var json = new Option<bool>("--json") { Description = "Print the breakdown as JSON." };
        var command = new Command("count", "Count tokens: of a text file in an encoding, or of a chat request for a model.") { encoding, textFile, model, messagesFile, toolsFile, json };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            string? encodingName = result.GetValue(encoding);
            FileInfo? text = result.GetValue(textFile);
            string? modelId = result.GetValue(model);
            FileInfo? messages = result.GetValue(messagesFile);
            FileInfo? tools = result.GetValue(toolsFile);
            bool asJson = result.GetValue(json);
            if (encodingName is not null && text is not null && modelId is null && messages is null && tools is null)
            {
                if (TiktokenEncodingName(encodingName) is null)
                {
                    throw new CommandInputException($"unknown encoding '{encodingName}'; use o200k_base or cl100k_base.");
                }

                int tokens = TokenEstimator.CountTokens(File.ReadAllText(text.FullName), encodingName);
                return CommandOutput.Write(output, asJson, tokens, new { encoding = encodingName, file = text.Name, tokens });
            }

            if (modelId is not null && messages is not null && encodingName is null && text is null)
            {
                List<ChatMessage> chat = ChatRequestFile.ReadMessages(messages.FullName);
                ChatOptions? options = tools is null ? null : new ChatOptions { Tools = ChatRequestFile.ReadTools(tools.FullName) };
                InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(chat, modelId, options);
                return CommandOutput.Write(output, asJson, estimate.Tokens, new
                {
                    model = modelId,
                    encoding = TokenEstimator.GetEncodingName(modelId),
                    messages = chat.Count,
                    tools = options?.Tools?.Count ?? 0,
                    promptTokens = estimate.Tokens,
                    precision = estimate.Precision.ToString(),
                });
            }

            throw new CommandInputException("use either --encoding E --text-file F, or --model M --messages-file F [--tools-file T].");
        }));
        return command;
    }

    private static string? TiktokenEncodingName(string name) => name is "o200k_base" or "cl100k_base" ? name : null;
}
