namespace AiCostGuard.Tests.Estimation;

public sealed class TokenEstimatorTests
{
    // The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", with the prompt_tokens
    // the API reported for it: 129 on cl100k_base models and 124 on o200k_base models.
    private static List<ChatMessage> CookbookMessages() =>
    [
        new(ChatRole.System, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
        new(ChatRole.System, "New synergies will help drive top-line growth.") { AuthorName = "example_user" },
        new(ChatRole.System, "Things working well together will increase revenue.") { AuthorName = "example_assistant" },
        new(ChatRole.System, "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.") { AuthorName = "example_user" },
        new(ChatRole.System, "Let's talk later when we're less busy about how to do better.") { AuthorName = "example_assistant" },
        new(ChatRole.User, "This late pivot means we don't have time to boil the ocean for the client deliverable."),
    ];

    [Theory]
    [InlineData("gpt-4o", 124)]
    [InlineData("gpt-4o-mini", 124)]
    [InlineData("gpt-4", 129)]
    [InlineData("gpt-3.5-turbo", 129)]
    public void Chat_format_counts_equal_the_prompt_tokens_the_API_reported(string model, int promptTokens)
    {
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(CookbookMessages(), model);
        Assert.Equal(EstimatePrecision.Exact, estimate.Precision);
        Assert.Equal(promptTokens, estimate.Tokens);
    }

    [Theory]
    [InlineData("gpt-4o", "o200k_base")]
    [InlineData("gpt-4o-2024-08-06", "o200k_base")]
    [InlineData("openai/gpt-4.1-mini", "o200k_base")]
    [InlineData("gpt-5-nano", "o200k_base")]
    [InlineData("o3", "o200k_base")]
    [InlineData("o4-mini", "o200k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("gpt-3.5-turbo-0125", "cl100k_base")]
    [InlineData("claude-sonnet-4-5", null)]
    [InlineData("gemini-2.5-pro", null)]
    [InlineData("omni-model", null)]
    [InlineData("", null)]
    public void Models_map_to_their_tiktoken_encoding(string model, string? encoding) =>
        Assert.Equal(encoding, TokenEstimator.GetEncodingName(model));

    [Fact]
    public void Text_that_looks_like_a_special_token_is_counted_as_plain_text()
    {
        // With special tokens recognised, "<|endoftext|>" would be a single token and the text 4 tokens in all.
        Assert.Equal(9, TokenEstimator.CountTokens("hello <|endoftext|> world", "o200k_base"));
        Assert.Equal(TokenEstimator.CountTokens("hello <|endoftext|> world", "o200k_base"), TokenEstimator.CountTokens("hello <|" + "endoftext|> world", "o200k_base"));
    }

    [Fact]
    public void Unknown_encodings_are_rejected() =>
        Assert.Throws<ArgumentException>(() => TokenEstimator.CountTokens("x", "p50k_base"));

    [Fact]
    public void Other_families_are_estimated_per_character_class_at_their_starting_rates()
    {
        // A model no calibrator has seen: the family's starting rates, per request, per message and per class.
        const string Text = "The invoice für München: 1234567 Yen, 请求书 と 見積 🚀";
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens([new ChatMessage(ChatRole.User, Text)], "claude-unseen-" + Guid.NewGuid());
        Assert.Equal(EstimatePrecision.Approximate, estimate.Precision);

        TextComposition composition = TextClassifier.Classify(Text) with { Messages = 1 };
        Assert.Equal(composition, estimate.Composition);
        ReadOnlySpan<double> rates = StartingRates.For(TokenizerFamily.Claude);
        double expected = rates[0] + rates[1] + (rates[2] * composition.CommonWords) + (rates[3] * composition.LatinWords) + (rates[4] * composition.LatinLetters)
            + (rates[5] * composition.AccentedLetters) + (rates[6] * composition.CapitalizedWords) + (rates[7] * composition.Cjk) + (rates[8] * composition.Kana)
            + (rates[10] * composition.Digits) + (rates[11] * composition.DigitGroups) + (rates[12] * composition.Punctuation) + (rates[13] * composition.PunctuationRuns)
            + (rates[14] * composition.Whitespace) + (rates[15] * composition.Symbols);
        Assert.Equal((long)Math.Ceiling(expected), estimate.Tokens);

        // Reserved: the upper bound at the shared calibrator's quantile with the starting uncertainty (15 %).
        Assert.Equal((long)Math.Ceiling(expected * (1 + (InputTokenCalibrator.NormalQuantile(InputTokenCalibrator.DefaultQuantile) * 0.15))), estimate.UpperBound, tolerance: 1);
    }

    [Fact]
    public void A_call_far_from_any_ceiling_is_not_tokenized()
    {
        string fresh = $"A question nobody has asked before: {Guid.NewGuid()}";
        List<ChatMessage> messages = [new(ChatRole.User, fresh)];
        InputTokenEstimate estimate = TokenEstimator.Estimate(messages, null, TiktokenEncoding.O200kBase, exactAbove: 1_000_000);

        Assert.Equal(EstimatePrecision.Approximate, estimate.Precision);
        Assert.False(TiktokenEncoding.O200kBase.TryGetCached(fresh, out _));

        // The bound holds: every BPE token is at least one UTF-8 byte.
        long exact = TokenEstimator.Estimate(messages, null, TiktokenEncoding.O200kBase, exactAbove: 0).Tokens;
        Assert.True(estimate.UpperBound >= exact);
    }

    [Fact]
    public void A_call_whose_bound_does_not_fit_is_counted_exactly_and_the_count_is_cached()
    {
        string fresh = $"Another new question: {Guid.NewGuid()}";
        List<ChatMessage> messages = [new(ChatRole.User, fresh)];
        InputTokenEstimate estimate = TokenEstimator.Estimate(messages, null, TiktokenEncoding.O200kBase, exactAbove: 5);

        Assert.Equal(EstimatePrecision.Exact, estimate.Precision);
        Assert.True(TiktokenEncoding.O200kBase.TryGetCached(fresh, out int cached));
        Assert.Equal(estimate.Tokens, 3 + 4 + cached);
    }

    [Fact]
    public void A_history_resent_on_every_turn_is_tokenized_once()
    {
        var history = new List<ChatMessage> { new(ChatRole.System, "You are a careful assistant.") };
        long previous = 0;
        for (int turn = 0; turn < 20; turn++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Turn {turn}: tell me more about {Guid.NewGuid()}."));
            InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(history, "gpt-4o");
            Assert.True(estimate.Tokens > previous);
            previous = estimate.Tokens;

            // Everything is now cached: the cheap pass alone gives the exact count.
            InputTokenEstimate again = TokenEstimator.Estimate(history, null, TiktokenEncoding.O200kBase, exactAbove: long.MaxValue);
            Assert.Equal(EstimatePrecision.Exact, again.Precision);
            Assert.Equal(estimate.Tokens, again.Tokens);
            history.Add(new ChatMessage(ChatRole.Assistant, $"Answer {turn}."));
        }
    }

    [Fact]
    public void Tool_definitions_and_tool_messages_count_as_input()
    {
        List<ChatMessage> messages = [new(ChatRole.User, "What's the weather in Paris?")];
        long without = TokenEstimator.EstimateInputTokens(messages, "gpt-4o").Tokens;

        var weather = AIFunctionFactory.Create((string location, string unit) => "sunny", "get_current_weather", "Get the current weather in a given location.");
        var options = new ChatOptions { Tools = [weather] };
        long withTools = TokenEstimator.EstimateInputTokens(messages, "gpt-4o", options).Tokens;
        Assert.True(withTools > without + 12, $"{withTools} vs {without}");

        messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_current_weather", new Dictionary<string, object?> { ["location"] = "Paris", ["unit"] = "celsius" })]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 degrees")]));
        long withToolTurn = TokenEstimator.EstimateInputTokens(messages, "gpt-4o", options).Tokens;
        Assert.True(withToolTurn > withTools + 8, $"{withToolTurn} vs {withTools}");
    }

    [Fact]
    public void Images_by_uri_are_estimated_at_a_documented_fixed_amount()
    {
        List<ChatMessage> text = [new(ChatRole.User, "Describe this.")];
        List<ChatMessage> withImage = [new(ChatRole.User, [new TextContent("Describe this."), new UriContent("https://example.com/cat.png", "image/png")])];
        Assert.Equal(TokenEstimator.TokensPerImage, TokenEstimator.EstimateInputTokens(withImage, "gpt-4o").Tokens - TokenEstimator.EstimateInputTokens(text, "gpt-4o").Tokens);
    }

    [Fact]
    public void Output_tokens_are_counted_exactly_for_OpenAI_models_and_estimated_for_others()
    {
        Assert.Equal(TokenEstimator.CountTokens("The answer is forty-two.", "o200k_base"), TokenEstimator.EstimateOutputTokens("The answer is forty-two.", "gpt-4o"));
        Assert.Equal(SentencePieceVocabulary.MistralV3.CountUncached("The answer is forty-two."), TokenEstimator.EstimateOutputTokens("The answer is forty-two.", "mistral-large-2411"));

        // Mistral's Tekken vocabulary is not shipped: estimated at its starting rates, which split digits one by one.
        Assert.Equal(7, TokenEstimator.EstimateOutputTokens("1234567", "mistral-large-latest"));
    }

    [Fact]
    public void Counting_a_history_already_counted_allocates_nothing()
    {
        // The exact OpenAI path on the hot path of every turn: cached counts, no character classes.
        List<ChatMessage> history = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "How many tokens is this? " + Guid.NewGuid())];
        InputTokenEstimate first = TokenEstimator.Estimate(history, null, TiktokenEncoding.O200kBase, exactAbove: 0);
        Assert.True(first.Composition.IsEmpty);

        long before = GC.GetAllocatedBytesForCurrentThread();
        InputTokenEstimate again = TokenEstimator.Estimate(history, null, TiktokenEncoding.O200kBase, exactAbove: long.MaxValue);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(first, again);
        Assert.Equal(0, allocated);
    }
}
