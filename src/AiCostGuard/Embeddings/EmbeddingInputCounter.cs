namespace AiCostGuard;

/// <summary>
/// Counts the input of an embeddings call: the tokens of each input, summed, with the model family's vocabulary. An
/// embeddings request has no chat format: providers bill the inputs' own tokens and nothing else.
/// </summary>
/// <remarks>Counts of a vocabulary are cached per string, as for chat; families without a vocabulary are estimated per character class. Thread-safe.</remarks>
internal static class EmbeddingInputCounter
{
    public static InputTokenEstimate Estimate(IReadOnlyList<string> inputs, ModelTokenizer tokenizer)
    {
        if (tokenizer.Tiktoken is { } encoding)
        {
            long tokens = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                tokens += encoding.Count(inputs[i]);
            }

            return new InputTokenEstimate(tokens, EstimatePrecision.Exact, tokens);
        }

        if (tokenizer.MistralFormat is { } mistral)
        {
            long tokens = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                tokens += mistral.Vocabulary.CountUncached(inputs[i]);
            }

            return new InputTokenEstimate(tokens, EstimatePrecision.Exact, tokens);
        }

        TextComposition composition = default;
        for (int i = 0; i < inputs.Count; i++)
        {
            composition = composition.Add(TextClassifier.Classify(inputs[i]));
        }

        long estimate = StartingRates.EstimateText(in composition, tokenizer.Family);
        return new InputTokenEstimate(estimate, EstimatePrecision.Approximate, estimate) { Composition = composition };
    }
}
