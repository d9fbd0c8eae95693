using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>quote --model M --messages-file F [--max-output N]</c>: the most a chat request can cost before it is sent — its
/// estimated input and <c>--max-output</c> tokens (by default the model's maximum output), every token at the dearest
/// rate that could apply (the bound budgets reserve).
/// </summary>
internal static class QuoteCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "The model; with --catalog, a key of that file.", Required = true };
        var messagesFile = new Option<string>("--messages-file") { Description = "OpenAI-format messages: [{\"role\", \"content\", \"name\"?}] (- for standard input).", Required = true };
        var maxOutput = new Option<long?>("--max-output") { Description = "The request's maximum output tokens; by default the model's maximum output from the catalog." };
        var toolsFile = new Option<string>("--tools-file") { Description = "OpenAI's \"tools\" array (- for standard input)." };
        Option<string> tier = ServiceTierOption.Create();
        Option<string> catalog = CatalogOption.Create();
        Option<string> candidates = CandidatesOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the breakdown as JSON." };
        var command = new Command("quote", "The worst-case cost of a chat request, before sending it.") { model, messagesFile, maxOutput, toolsFile, tier, catalog, candidates, json };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            string modelId = result.GetValue(model)!;
            PriceCatalog prices = CatalogOption.Load(result.GetValue(catalog));
            ModelPrice price = CatalogOption.Price(prices, modelId);
            long outputTokens = result.GetValue(maxOutput)
                ?? price.MaximumOutputTokens
                ?? throw new CommandInputException($"the catalog gives no maximum output for '{modelId}': give --max-output.");
            if (outputTokens <= 0)
            {
                throw new CommandInputException($"--max-output must be positive; it is {outputTokens}.");
            }

            List<ChatMessage> messages = ChatRequestFile.ReadMessages("--messages-file", result.GetValue(messagesFile)!);
            ChatOptions? options = result.GetValue(toolsFile) is { } tools ? new ChatOptions { Tools = ChatRequestFile.ReadTools("--tools-file", tools) } : null;
            InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(messages, modelId, options);
            string? serviceTier = ServiceTierOption.Read(result.GetValue(tier));

            // For OpenAI families the estimate's upper bound is the worst case (an image given by URL may be the largest);
            // for the others it is a byte bound far above any real count, and the estimate itself is what a budget reserves.
            long worstInput = TokenEstimator.GetEncodingName(modelId) is null ? estimate.Tokens : estimate.UpperBound;
            decimal worstCase = CatalogOption.Checked(modelId, () => price.GetWorstCaseCost(worstInput, outputTokens, serviceTier));
            var breakdown = new
            {
                model = modelId,
                inputTokens = estimate.Tokens,
                worstCaseInputTokens = worstInput,
                precision = estimate.Precision.ToString(),
                maxOutputTokens = outputTokens,
                maxOutputSource = result.GetValue(maxOutput) is null ? "catalog" : "option",
                serviceTier = serviceTier ?? "standard",
                inputCost = CommandOutput.Normalize(CatalogOption.Checked(modelId, () => price.GetWorstCaseCost(worstInput, 0, serviceTier))),
                worstCase = CommandOutput.Normalize(worstCase),
                currency = "USD",
            };
            if (result.GetValue(candidates) is not { } names)
            {
                return CommandOutput.Write(output, result.GetValue(json), worstCase, breakdown);
            }

            IReadOnlyList<CandidateQuote> weighed = CandidatesOption.Quote(prices, modelId, names, messages, options, result.GetValue(maxOutput), serviceTier);
            if (!result.GetValue(json))
            {
                foreach (CandidateQuote c in weighed)
                {
                    output.WriteLine($"{c.ModelId}\t{CommandOutput.Format(c.WorstCaseCost)}\t{(c.IsChosen ? "chosen" : c.Unfit is null ? "fits" : TerminalText.Clean(c.Unfit))}");
                }
            }

            JsonObject withCandidates = JsonSerializer.SerializeToNode(breakdown)!.AsObject();
            withCandidates["candidates"] = JsonSerializer.SerializeToNode(weighed.Select(c => new
            {
                model = c.ModelId,
                inputTokens = c.InputTokens,
                maxOutputTokens = c.MaximumOutputTokens,
                contextWindow = c.ContextWindow,
                worstCase = CommandOutput.Normalize(c.WorstCaseCost),
                fits = c.Unfit is null,
                unfit = c.Unfit,
                chosen = c.IsChosen,
            }).ToArray());
            return CommandOutput.Write(output, result.GetValue(json), worstCase, withCandidates);
        }));
        return command;
    }
}
