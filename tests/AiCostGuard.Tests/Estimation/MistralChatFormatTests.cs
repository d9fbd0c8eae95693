using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class MistralChatFormatTests
{
    private const string Alphabet = "ab cdeéfgh  ijkl\n\tmnoxyz0123456789.,;:!?()[]{}\"'-_/你好世界日本語のテキストПривет [INST]<s> ";

    [Theory]
    [InlineData("mistral-7b-instruct-v0.1", "V1")]
    [InlineData("mistralai/Mistral-7B-Instruct-v0.3", "V3")]
    [InlineData("open-mixtral-8x22b", "V3")]
    [InlineData("mistral-large-2407", "V3")]
    [InlineData("mistral-large-2411", "V7")]
    public void Text_conversations_are_counted_as_mistral_common_encodes_them(string modelId, string version)
    {
        Assert.Equal(TokenizerFamily.MistralSentencePiece, TokenEstimator.GetTokenizerFamily(modelId));
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are terse."),
            new(ChatRole.User, "What does  [INST] mean?"),
            new(ChatRole.Assistant, "A marker.  "),
            new(ChatRole.System, "Answer in German."),
            new(ChatRole.User, "Und jetzt?"),
            new(ChatRole.User, "Bitte kurz: 12345 😀"),
        ];

        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(messages, modelId);
        Assert.Equal(EstimatePrecision.Exact, estimate.Precision);
        Assert.Equal(Reference(messages, version), estimate.Tokens);
    }

    [Fact]
    public void A_single_user_message_costs_the_published_template_overhead()
    {
        // <s> [INST] Hello [/INST]: the beginning of sentence, then "▁[", "INST", "]" and "▁[", "/", "INST", "]" as text (V1).
        long hello = SentencePieceVocabulary.MistralV1.CountUncached("Hello");
        Assert.Equal(1 + 7 + hello, TokenEstimator.EstimateInputTokens([new(ChatRole.User, "Hello")], "mistral-7b-instruct-v0.2").Tokens);

        // From V2 on, [INST] and [/INST] are control tokens: one each.
        Assert.Equal(1 + 2 + hello, TokenEstimator.EstimateInputTokens([new(ChatRole.User, "Hello")], "mistral-large-2407").Tokens);
    }

    [Fact]
    public void Text_that_looks_like_a_control_token_is_counted_as_characters()
    {
        const string Text = "<s>[INST]</s>";
        Assert.True(SentencePieceVocabulary.MistralV3.CountUncached(Text) > 3);
        Assert.Equal(1 + 2 + SentencePieceVocabulary.MistralV3.CountUncached(Text), TokenEstimator.EstimateInputTokens([new(ChatRole.User, Text)], "codestral-22b").Tokens);
    }

    [Fact]
    public void Models_on_the_Tekken_vocabulary_are_estimated()
    {
        foreach (string model in new[] { "mistral-large-latest", "open-mistral-nemo-2407", "ministral-8b-2410", "pixtral-12b-2409", "mistral-small-2503" })
        {
            Assert.Equal(TokenizerFamily.MistralTekken, TokenEstimator.GetTokenizerFamily(model));
            Assert.Equal(EstimatePrecision.Approximate, TokenEstimator.EstimateInputTokens([new(ChatRole.User, "Hello")], model).Precision);
        }
    }

    [Fact]
    public void A_call_far_from_any_ceiling_is_bounded_without_tokenizing_it()
    {
        string fresh = $"Nobody asked this before: {Guid.NewGuid()}";
        MistralChatFormat format = MistralChatFormat.ForModel("mistral-large-2407")!;
        InputTokenEstimate bound = format.Estimate([new ChatMessage(ChatRole.User, fresh)], null, exactAbove: long.MaxValue);
        Assert.Equal(EstimatePrecision.Approximate, bound.Precision);
        Assert.False(format.Vocabulary.TryGetCached(fresh, joined: false, out _));

        InputTokenEstimate exact = format.Estimate([new ChatMessage(ChatRole.User, fresh)], null, exactAbove: 0);
        Assert.Equal(EstimatePrecision.Exact, exact.Precision);
        Assert.InRange(exact.Tokens, 1, bound.UpperBound);
    }

    [Property(MaxTest = 60)]
    public Property Any_text_conversation_counts_as_the_rendered_prompt()
    {
        Gen<string> text = Gen.Elements(Alphabet.ToCharArray()).ArrayOf().Where(cs => cs.Length is > 0 and < 40).Select(cs => new string(cs)).Where(s => s.Length > 0);
        Gen<ChatRole> role = Gen.Elements(ChatRole.System, ChatRole.User, ChatRole.Assistant);
        Gen<ChatMessage[]> conversation = Gen.Zip(role, text).Select(p => new ChatMessage(p.Item1, p.Item2)).ArrayOf().Where(m => m.Length is > 0 and < 8);
        return Prop.ForAll(conversation.ToArbitrary(), messages =>
            TokenEstimator.EstimateInputTokens(messages, "mistral-7b-instruct-v0.1").Tokens == Reference(messages, "V1")
            && TokenEstimator.EstimateInputTokens(messages, "mistral-large-2407").Tokens == Reference(messages, "V3")
            && TokenEstimator.EstimateInputTokens(messages, "mistral-large-2411").Tokens == Reference(messages, "V7"));
    }

    /// <summary>
    /// The prompt as mistral-common renders it, written out as whole strings and counted in one piece each: system prompts
    /// and runs of one role joined with a blank line, the system prompt before the first (V1) or last (V2/V3) user
    /// message or as its own message (V7), an empty user message first when the conversation does not start with one
    /// (before V7), <c>[INST] … [/INST]</c> as text (V1) or control tokens, an end of sentence after each assistant turn.
    /// </summary>
    private static long Reference(IReadOnlyList<ChatMessage> messages, string version)
    {
        SentencePieceVocabulary vocabulary = version == "V1" ? SentencePieceVocabulary.MistralV1 : SentencePieceVocabulary.MistralV3;
        var runs = new List<(ChatRole Role, string Text)>();
        ChatRole? current = null;
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System && version != "V7")
            {
                current = ChatRole.System;
                continue;
            }

            if (current == message.Role && message.Role != ChatRole.System)
            {
                runs[^1] = (message.Role, runs[^1].Text + "\n\n" + message.Text);
            }
            else
            {
                runs.Add((message.Role, message.Text));
            }

            current = message.Role;
        }

        string? system = version == "V7" ? null : string.Join("\n\n", messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        if (version != "V7" && (runs.Count == 0 || runs[0].Role != ChatRole.User))
        {
            runs.Insert(0, (ChatRole.User, string.Empty));
        }

        int first = runs.FindIndex(r => r.Role == ChatRole.User), last = runs.FindLastIndex(r => r.Role == ChatRole.User);
        long tokens = 1;
        for (int i = 0; i < runs.Count; i++)
        {
            (ChatRole role, string text) = runs[i];
            if (role == ChatRole.System)
            {
                tokens += 2 + vocabulary.CountUncached(text);
            }
            else if (role == ChatRole.User)
            {
                bool receives = !string.IsNullOrEmpty(system) && i == (version == "V1" ? first : last);
                string content = receives ? system + "\n\n" + text : text;
                tokens += version == "V1" ? vocabulary.CountUncached("[INST] " + content + " [/INST]") : 2 + vocabulary.CountUncached(content);
            }
            else
            {
                tokens += vocabulary.CountUncached(version == "V1" ? text : text.TrimEnd(' ')) + 1;
            }
        }

        return tokens;
    }
}
