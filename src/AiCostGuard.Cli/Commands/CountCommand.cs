using System.CommandLine;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>count --encoding E --text-file F</c>: the tiktoken count of a text file, as providers count user text;
/// <c>count --model M --messages-file F [--tools-file T]</c>: the prompt tokens of an OpenAI-format chat request, for a
/// model with a tokenizer or a price in the catalog (any other model is an error, not a guess).
/// </summary>
internal static class CountCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var encoding = new Option<string>("--encoding") { Description = "o200k_base or cl100k_base (with --text-file)." };
        var textFile = new Option<string>("--text-file") { Description = "A UTF-8 text file to count (- for standard input)." };
        var model = new Option<string>("--model") { Description = "The model the request is for (with --messages-file)." };
        var messagesFile = new Option<string>("--messages-file") { Description = "OpenAI-format messages: [{\"role\", \"content\", \"name\"?}] (- for standard input)." };
        var toolsFile = new Option<string>("--tools-file") { Description = "OpenAI's \"tools\" array (- for standard input)." };
        Option<string> catalog = CatalogOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the breakdown as JSON." };
        var command = new Command("count", "Count tokens: of a text file in an encoding, or of a chat request for a model.") { encoding, textFile, model, messagesFile, toolsFile, catalog, json };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            string? encodingName = result.GetValue(encoding);
            string? text = result.GetValue(textFile);
            string? modelId = result.GetValue(model);
            string? messages = result.GetValue(messagesFile);
            string? tools = result.GetValue(toolsFile);
            bool asJson = result.GetValue(json);
            if (encodingName is not null && text is not null && modelId is null && messages is null && tools is null)
            {
                if (encodingName is not ("o200k_base" or "cl100k_base"))
                {
                    throw new CommandInputException($"unknown encoding '{encodingName}'; use o200k_base or cl100k_base.");
                }

                int tokens = TokenEstimator.CountTokens(CommandFiles.ReadText("--text-file", text), encodingName);
                return CommandOutput.Write(output, asJson, tokens, new { encoding = encodingName, file = CommandFiles.Name(text), tokens });
            }

            if (modelId is not null && messages is not null && encodingName is null && text is null)
            {
                string? modelEncoding = TokenEstimator.GetEncodingName(modelId);
                if (modelEncoding is null && !CatalogOption.Load(result.GetValue(catalog)).TryGetPrice(modelId, out _))
                {
                    throw new CommandInputException($"unknown model '{modelId}': it has no tokenizer and no price in the catalog, so its count would be a guess; give --catalog with its price, or count with --encoding.");
                }

                List<ChatMessage> chat = ChatRequestFile.ReadMessages("--messages-file", messages);
                ChatOptions? options = tools is null ? null : new ChatOptions { Tools = ChatRequestFile.ReadTools("--tools-file", tools) };
                InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(chat, modelId, options);
                return CommandOutput.Write(output, asJson, estimate.Tokens, new
                {
                    model = modelId,
                    encoding = modelEncoding,
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
}
