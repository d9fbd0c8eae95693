using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Adds up the input of one chat request for <see cref="TokenEstimator"/>: OpenAI's published chat format (per message,
/// per name, reply priming) over a tiktoken vocabulary, or, without one, the request's <see cref="TextComposition"/>.
/// </summary>
internal static class RequestTokenCounter
{
    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int TokensForReplyPriming = 3;


    /// <summary>
    /// Estimates input tokens, tokenizing only what it must: counts already cached are exact, new text is bounded
    /// by its length, and only when that bound exceeds <paramref name="exactAbove"/> is the new text counted.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The chat options; their tools count as input.</param>
    /// <param name="encoding">The model's vocabulary; <see langword="null"/> for a family estimated by character class.</param>
    /// <param name="exactAbove">The bound above which new text is counted.</param>
    /// <param name="family">The model's family, whose published rules bound images, PDFs, audio and video.</param>
    /// <param name="bounds">The worst cases of files the request only refers to.</param>
    internal static InputTokenEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, TiktokenEncoding? encoding, long exactAbove, TokenizerFamily family, ContentBoundOptions bounds)
    {
        var tally = new RequestTally(family, bounds);
        Measure(messages, options, encoding, ref tally, countNew: false);
        long approximate = tally.Known + tally.NewApproximate + tally.Bounded.Tokens;
        long bound = tally.Known + tally.NewBound + tally.Bounded.UpperBound;
        if (encoding is null)
        {
            return tally.Classified();
        }

        if (!tally.HasUncounted)
        {
            return tally.Counted();
        }

        if (bound <= exactAbove)
        {
            return new InputTokenEstimate(approximate, tally.Bounded.IsEmpty ? EstimatePrecision.Approximate : EstimatePrecision.Bounded, bound) { BoundedContent = tally.Bounded };
        }

        tally = new RequestTally(family, bounds);
        Measure(messages, options, encoding, ref tally, countNew: true);
        return tally.Counted();
    }

    private static void Measure(IEnumerable<ChatMessage> messages, ChatOptions? options, TiktokenEncoding? encoding, ref RequestTally tally, bool countNew)
    {
        // Without a vocabulary the template is the family's: the request and its messages are counted, and their
        // rates are the family's (StartingRates) or learned (InputTokenCalibrator).
        if (encoding is not null)
        {
            tally.AddFixed(TokensForReplyPriming);
        }

        if (messages is IList<ChatMessage> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                MeasureMessage(list[i], encoding, ref tally, countNew);
            }
        }
        else
        {
            foreach (ChatMessage message in messages)
            {
                MeasureMessage(message, encoding, ref tally, countNew);
            }
        }

        if (options?.Tools is { Count: > 0 } tools)
        {
            MeasureTools(tools, encoding, ref tally, countNew);
        }
    }

    private static void MeasureMessage(ChatMessage message, TiktokenEncoding? encoding, ref RequestTally tally, bool countNew)
    {
        // Each message adds 3 tokens plus its role; every known role is a single token in both encodings.
        if (encoding is null)
        {
            tally.Composition = tally.Composition with { Messages = tally.Composition.Messages + 1 };
        }
        else
        {
            tally.AddFixed(TokensPerMessage + 1);
        }

        if (message.AuthorName is { } name)
        {
            tally.AddFixed(encoding is null ? 0 : TokensPerName);
            MeasureText(name, encoding, ref tally, countNew);
        }

        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            AIContent content = contents[i];
            switch (content)
            {
                case TextContent text:
                    MeasureText(text.Text, encoding, ref tally, countNew);
                    break;
                case TextReasoningContent reasoning:
                    MeasureText(reasoning.Text, encoding, ref tally, countNew);
                    tally.AddBounded(ContentBounds.ProtectedReasoning(reasoning));
                    break;
                case DataContent data when encoding is not null && data.HasTopLevelMediaType("image") && CountImage(data, encoding) is { } imageTokens:
                    // OpenAI's published rule, exact for an image whose size the header gives.
                    tally.AddFixed(imageTokens);
                    break;
                case UriContent uri when encoding is not null && uri.HasTopLevelMediaType("image") && IsLowDetail(uri):
                    tally.AddFixed(ImageTokenCounter.LowDetailTokens);
                    break;
                case var _ when ContentBounds.IsBounded(content):
                    tally.AddBounded(ContentBounds.Bound(content, tally.Family, tally.Bounds));
                    break;
                default:
                    // Function calls and results, text given as bytes, and any other kind: their serialized form, as text.
                    MeasureRendered(content, encoding, ref tally, countNew);
                    break;
            }
        }
    }

    /// <summary>The tokens of an image given as bytes; <see langword="null"/> when its size cannot be read from them.</summary>
    private static int? CountImage(DataContent data, TiktokenEncoding encoding)
    {
        // The header is parsed once per content instance: a history re-sent on every turn re-reads no image. An image
        // whose size cannot be read is cached as -1.
        if (encoding.TryGetCached(data, out int cached))
        {
            return cached < 0 ? null : cached;
        }

        bool low = IsLowDetail(data);
        int tokens = low ? ImageTokenCounter.LowDetailTokens
            : ImageTokenCounter.TryReadSize(data.Data.Span, out int width, out int height) ? ImageTokenCounter.Count(width, height, lowDetail: false)
            : -1;
        tokens = encoding.Count(data, (_, _) => tokens);
        return tokens < 0 ? null : tokens;
    }

    private static bool IsLowDetail(AIContent content) =>
        content.AdditionalProperties?.TryGetValue("detail", out object? detail) == true && string.Equals(detail?.ToString(), "low", StringComparison.OrdinalIgnoreCase);

    private static void MeasureText(string text, TiktokenEncoding? encoding, ref RequestTally tally, bool countNew)
    {
        if (encoding is null)
        {
            tally.AddClassified(TextClassifier.Classify(text), text.Length);
        }
        else if (encoding.TryGetCached(text, out int count))
        {
            tally.AddExact(count);
        }
        else if (countNew)
        {
            tally.AddExact(encoding.Count(text));
        }
        else
        {
            tally.AddUncounted(text.Length);
        }
    }

    private static void MeasureRendered(AIContent content, TiktokenEncoding? encoding, ref RequestTally tally, bool countNew)
    {
        if (encoding is not null && encoding.TryGetCached(content, out int count))
        {
            tally.AddExact(count);
        }
        else if (encoding is not null && countNew)
        {
            tally.AddExact(encoding.Count(content, static (c, e) => e.CountUncached(Render(c))));
        }
        else if (encoding is null)
        {
            string rendered = Render(content);
            tally.AddClassified(TextClassifier.Classify(content, Render), rendered.Length);
        }
        else
        {
            tally.AddUncounted(Render(content).Length);
        }
    }

    /// <summary>What a content that is counted as text is counted as.</summary>
    internal static string Render(AIContent content) => content switch
    {
        FunctionCallContent call => call.Name + ToolJson.Arguments(call.Arguments),
        FunctionResultContent result => result.Result switch
        {
            null => string.Empty,
            string s => s,
            JsonElement json => json.GetRawText(),
            object o => ToolJson.Value(o),
        },
        DataContent data => Encoding.UTF8.GetString(data.Data.Span),
        _ => RenderOther(content),
    };

    /// <summary>Content of a kind without a rule of its own, as the JSON it serializes to (<see cref="ContentBounds.IsBounded"/> takes those that do not serialize).</summary>
    private static string RenderOther(AIContent content) => ToolJson.Content(content);

    private static void MeasureTools(IList<AITool> tools, TiktokenEncoding? encoding, ref RequestTally tally, bool countNew)
    {
        // OpenAI's published counting rule for function definitions (per function, per property, per enum item).
        bool o200k = ReferenceEquals(encoding, TiktokenEncoding.O200kBase) || encoding is null;
        int functionInit = o200k ? 7 : 10;
        const int FunctionsEnd = 12;
        tally.AddFixed(FunctionsEnd);
        for (int i = 0; i < tools.Count; i++)
        {
            if (tools[i] is not AIFunctionDeclaration function)
            {
                continue;
            }

            tally.AddFixed(functionInit);
            if (encoding is not null && encoding.TryGetCached(function, out int count))
            {
                tally.AddExact(count);
            }
            else if (encoding is not null && countNew)
            {
                tally.AddExact(encoding.Count(function, static (f, e) => FunctionDefinitionCounter.Count(f, e)));
            }
            else if (encoding is null)
            {
                TextComposition composition = TextClassifier.Classify(function, static f => f.Name + f.Description + f.JsonSchema.GetRawText());
                tally.AddClassified(composition, function.Name.Length + function.Description.Length + function.JsonSchema.GetRawText().Length);
            }
            else
            {
                tally.AddUncounted(function.Name.Length + function.Description.Length + function.JsonSchema.GetRawText().Length);
            }
        }
    }
}
