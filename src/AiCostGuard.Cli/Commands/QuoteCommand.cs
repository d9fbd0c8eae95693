using System.CommandLine;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>quote --model M --messages-file F --max-output N</c>: the most a chat request can cost before it is sent — its
/// estimated input and <c>--max-output</c> tokens, every token at the dearest rate that could apply (the bound budgets reserve).
/// </summary>
internal static class QuoteCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "The model; with --catalog, a key of that file.", Required = true };
        var messagesFile = new Option<FileInfo>("--messages-file") { Description = "OpenAI-format messages: [{\"role\", \"content\", \"name\"?}].", Required = true };
        var maxOutput = new Option<long>("--max-output") { Description = "The request's maximum output tokens.", Required = true };
        var toolsFile = new Option<FileInfo>("--tools-file") { Description = "OpenAI's \"tools\" array." };
        var tier = new Option<string>("--service-tier") { Description = "standard, flex, priority or batch." };
        var catalog = new Option<FileInfo>("--catalog") { Description = "A price file in LiteLLM's model_prices_and_context_window.json format." };
        var json = new Option<bool>("--json") { Description = "Print the breakdown as JSON." };
        var command = new Command("quote", "The worst-case cost of a chat request, before sending it.") { model, messagesFile, maxOutput, toolsFile, tier, catalog, json };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            long outputTokens = result.GetValue(maxOutput);
            if (outputTokens <= 0)
            {
                throw new CommandInputException($"--max-output must be positive; it is {outputTokens}.");
            }

            string modelId = result.GetValue(model)!;
            ModelPrice price = CatalogOption.Load(result.GetValue(catalog)).TryGetPrice(modelId, out ModelPrice? found)
                ? found
                : throw new CommandInputException($"the model '{modelId}' has no price in the catalog.");
            List<ChatMessage> messages = ChatRequestFile.ReadMessages(result.GetValue(messagesFile)!.FullName);
            ChatOptions? options = result.GetValue(toolsFile) is { } tools ? new ChatOptions { Tools = ChatRequestFile.ReadTools(tools.FullName) } : null;
            InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(messages, modelId, options);
            string? serviceTier = result.GetValue(tier);

            // For OpenAI families the estimate's upper bound is the worst case (an image given by URL may be the largest);
            // for the others it is a byte bound far above any real count, and the estimate itself is what a budget reserves.
            long worstInput = TokenEstimator.GetEncodingName(modelId) is null ? estimate.Tokens : estimate.UpperBound;
            decimal worstCase = price.GetWorstCaseCost(worstInput, outputTokens, serviceTier);
            return CommandOutput.Write(output, result.GetValue(json), worstCase, new
            {
                model = modelId,
                inputTokens = estimate.Tokens,
                worstCaseInputTokens = worstInput,
                precision = estimate.Precision.ToString(),
                maxOutputTokens = outputTokens,
                serviceTier = serviceTier ?? "standard",
                inputCost = CommandOutput.Normalize(price.GetWorstCaseCost(worstInput, 0, serviceTier)),
                worstCase = CommandOutput.Normalize(worstCase),
                currency = "USD",
            });
        }));
        return command;
    }
}
