using System.CommandLine;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>price --model M --input N [...]</c>: the cost in US dollars of a call's token counts, in the OpenAI and
/// Microsoft.Extensions.AI convention: <c>--input</c> counts all input (cache reads and writes included) and
/// <c>--output</c> all output (reasoning included).
/// </summary>
internal static class PriceCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "The model; with --catalog, a key of that file.", Required = true };
        var input = new Option<long>("--input") { Description = "All input tokens, cache reads and writes included.", Required = true };
        var cached = new Option<long>("--cached") { Description = "Input tokens read from the prompt cache." };
        var cacheWrite = new Option<long>("--cache-write") { Description = "Input tokens written to a 5-minute cache." };
        var cacheWrite1h = new Option<long>("--cache-write-1h") { Description = "Input tokens written to a 1-hour cache." };
        var outputTokens = new Option<long>("--output") { Description = "All output tokens, reasoning included." };
        var reasoning = new Option<long>("--reasoning") { Description = "Output tokens spent on reasoning." };
        Option<string> tier = ServiceTierOption.Create();
        Option<string> catalog = CatalogOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the breakdown as JSON." };
        var command = new Command("price", "Price a call's token counts in US dollars.") { model, input, cached, cacheWrite, cacheWrite1h, outputTokens, reasoning, tier, catalog, json };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            var usage = new TokenUsage(result.GetValue(input), result.GetValue(outputTokens), result.GetValue(cached), result.GetValue(reasoning))
            {
                CacheWriteTokens = result.GetValue(cacheWrite),
                CacheWriteOneHourTokens = result.GetValue(cacheWrite1h),
            };
            Validate(usage);
            string modelId = result.GetValue(model)!;
            ModelPrice price = CatalogOption.Price(CatalogOption.Load(result.GetValue(catalog)), modelId);
            CostBreakdown cost = CatalogOption.Checked(modelId, () => price.GetCostBreakdown(usage, ServiceTierOption.Read(result.GetValue(tier))));
            return CommandOutput.Write(output, result.GetValue(json), cost.Total, new
            {
                model = modelId,
                serviceTier = cost.ServiceTier,
                longContextThreshold = cost.LongContextThreshold,
                uncachedInput = CommandOutput.Normalize(cost.UncachedInput),
                cachedInput = CommandOutput.Normalize(cost.CachedInput),
                cacheWrite = CommandOutput.Normalize(cost.CacheWrite),
                output = CommandOutput.Normalize(cost.Output),
                reasoning = CommandOutput.Normalize(cost.Reasoning),
                audioAndImage = CommandOutput.Normalize(cost.AudioAndImage),
                requestFee = CommandOutput.Normalize(cost.RequestFee),
                total = CommandOutput.Normalize(cost.Total),
                notes = cost.Notes.ToString(),
                currency = "USD",
            });
        }));
        return command;
    }

    private static void Validate(TokenUsage usage)
    {
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CachedInputTokens < 0 || usage.ReasoningTokens < 0 || usage.CacheWriteTokens < 0 || usage.CacheWriteOneHourTokens < 0)
        {
            throw new CommandInputException("token counts cannot be negative.");
        }

        // Summed as decimals: counts near long.MaxValue would wrap to a negative sum and pass the check.
        decimal cachedAndWritten = (decimal)usage.CachedInputTokens + usage.CacheWriteTokens + usage.CacheWriteOneHourTokens;
        if (cachedAndWritten > usage.InputTokens)
        {
            throw new CommandInputException($"--input ({usage.InputTokens}) counts all input: it must include --cached, --cache-write and --cache-write-1h ({cachedAndWritten}).");
        }

        if (usage.ReasoningTokens > usage.OutputTokens)
        {
            throw new CommandInputException($"--output ({usage.OutputTokens}) counts all output: it must include --reasoning ({usage.ReasoningTokens}).");
        }
    }
}
