using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Counts a chat request the way Mistral's own tokenizer library (mistral-common) encodes it for the models whose
/// SentencePiece vocabulary ships with this library: exact for text conversations.
/// </summary>
/// <remarks>
/// <para>
/// The encoding (mistral-common's instruct tokenizers V1, V2/V3 and V7): one beginning-of-sentence token; system
/// messages joined with a blank line into a system prompt, placed before the first user message (V1) or the last one
/// (V2/V3), or encoded as their own <c>[SYSTEM_PROMPT]…[/SYSTEM_PROMPT]</c> messages (V7); consecutive messages of one
/// role joined with a blank line; a user message as <c>[INST] … [/INST]</c> (plain text in V1, one control token each
/// from V2 on); an assistant message followed by an end-of-sentence token; an empty user message first when the
/// conversation does not start with one (before V7).
/// </para>
/// <para>
/// Tool definitions, tool calls and tool results are counted on a compact JSON rendering with the same vocabulary plus
/// their control tokens, which is close to but not exactly mistral-common's rendering: such an estimate is
/// <see cref="EstimatePrecision.Approximate"/>, bounded by a quarter more. Images are counted by the OpenAI tile rule and
/// are approximate too.
/// </para>
/// </remarks>
internal sealed class MistralChatFormat
{
    private const int MaximumUtf16UnitsPerToken = 3;

    // The model ids of mistral-common's model table and of the open-weights releases, by tokenizer version.
    private static readonly (string Prefix, MistralChatFormat Format)[] Models =
    [
        ("mistral-medium-2312", V1()), ("mistral-7b-instruct-v0.1", V1()), ("mistral-7b-instruct-v0.2", V1()), ("mixtral-8x7b-instruct", V1()),
        ("mistral-tiny-2312", V3()), ("mistral-small-2312", V3()), ("mistral-small-2402", V3()), ("mistral-large-2402", V3()),
        ("mistral-tiny-2407", V3()), ("open-mixtral-8x22b", V3()), ("mixtral-8x22b-instruct", V3()), ("mistral-large-2407", V3()),
        ("mistral-large-instruct-2407", V3()), ("codestral-2405", V3()), ("codestral-22b", V3()), ("codestral-mamba", V3()),
        ("open-codestral-mamba", V3()), ("mamba-codestral", V3()), ("mistral-7b-instruct-v0.3", V3()),
        ("mistral-large-2411", V7()), ("mistral-large-instruct-2411", V7()), ("pixtral-large-2411", V7()), ("pixtral-large-instruct-2411", V7()),
    ];

    private readonly Version _version;

    private MistralChatFormat(SentencePieceVocabulary vocabulary, Version version)
    {
        Vocabulary = vocabulary;
        _version = version;
    }

    private enum Version
    {
        /// <summary><c>[INST]</c> as text; the system prompt before the first user message.</summary>
        V1,

        /// <summary><c>[INST]</c> as a control token; the system prompt before the last user message (V2 and V3 encode text alike).</summary>
        V3,

        /// <summary>System messages as <c>[SYSTEM_PROMPT]</c> messages of their own.</summary>
        V7,
    }

    public SentencePieceVocabulary Vocabulary { get; }

    /// <summary>Gets the format of a Mistral model whose vocabulary ships with this library; <see langword="null"/> for any other model.</summary>
    public static MistralChatFormat? ForModel(ReadOnlySpan<char> id)
    {
        foreach ((string prefix, MistralChatFormat format) in Models)
        {
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        return null;
    }

    /// <summary>Counts the request, counting new text only when its length-based bound exceeds <paramref name="exactAbove"/>.</summary>
    public InputTokenEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options, long exactAbove, ContentBoundOptions? bounds = null)
    {
        bounds ??= ContentBounds.DefaultOptions;
        var counter = new Counter(Vocabulary, countNew: false, bounds);
        Measure(messages, options, ref counter);
        if (!counter.HasUncounted)
        {
            return counter.Result();
        }

        if (counter.Known + counter.NewBound + counter.Bounded.UpperBound <= exactAbove)
        {
            long approximate = counter.Known + counter.NewApproximate + counter.Bounded.Tokens;
            EstimatePrecision precision = counter.Bounded.IsEmpty ? EstimatePrecision.Approximate : EstimatePrecision.Bounded;
            return new InputTokenEstimate(approximate, precision, counter.Known + counter.NewBound + counter.Bounded.UpperBound) { BoundedContent = counter.Bounded };
        }

        counter = new Counter(Vocabulary, countNew: true, bounds);
        Measure(messages, options, ref counter);
        return counter.Result();
    }

    private static MistralChatFormat V1() => new(SentencePieceVocabulary.MistralV1, Version.V1);

    private static MistralChatFormat V3() => new(SentencePieceVocabulary.MistralV3, Version.V3);

    private static MistralChatFormat V7() => new(SentencePieceVocabulary.MistralV3, Version.V7);

    private void Measure(IEnumerable<ChatMessage> messages, ChatOptions? options, ref Counter counter)
    {
        const int BeginInstruction = 1, EndInstruction = 1, EndOfSentence = 1;

        // "[INST] " and " [/INST]" as text: "▁[", "INST", "]" and "▁[", "/", "INST", "]".
        const int InstructionAsText = 7;

        IList<ChatMessage> list = messages as IList<ChatMessage> ?? [.. messages];
        counter.AddFixed(1);
        int lastUser = -1, firstUser = -1;
        bool startsWithUser = false, seenNonSystem = false;
        for (int i = 0; i < list.Count; i++)
        {
            ChatRole role = list[i].Role;
            if (role == ChatRole.User)
            {
                firstUser = firstUser < 0 ? i : firstUser;
                lastUser = i;
            }

            if (role != ChatRole.System && !seenNonSystem)
            {
                seenNonSystem = true;
                startsWithUser = role == ChatRole.User;
            }
        }

        // Before V7 the system prompt travels inside a user message (the first in V1, the last in V2/V3), and a
        // conversation starts with a user message: an empty one is inserted when it does not, and it is the first user
        // message, and the last when there is no other.
        const int Inserted = int.MinValue;
        bool systemInUser = _version != Version.V7;
        int systemTarget = !systemInUser ? -1
            : _version == Version.V1 ? (startsWithUser ? firstUser : Inserted)
            : lastUser >= 0 ? lastUser : Inserted;
        if (systemInUser && !startsWithUser)
        {
            counter.AddFixed(_version == Version.V1 ? InstructionAsText : BeginInstruction + EndInstruction);
            counter.StartSegment();
            MeasureUserContent(list, start: 0, end: 0, receivesSystemPrompt: systemTarget == Inserted, ref counter);
        }

        bool toolsCounted = options?.Tools is not { Count: > 0 };
        for (int i = 0; i < list.Count;)
        {
            ChatRole role = list[i].Role;
            int end = i + 1;
            if (role == ChatRole.System)
            {
                if (_version == Version.V7)
                {
                    counter.AddFixed(BeginInstruction + EndInstruction);
                    counter.StartSegment();
                    MeasureNonText(list[i], ref counter);
                    AddText(list[i], ref counter);
                }

                i = end;
                continue;
            }

            while (end < list.Count && list[end].Role == role)
            {
                end++;
            }

            if (role == ChatRole.User)
            {
                if (!toolsCounted && end - 1 == lastUser)
                {
                    // With the last user message.
                    toolsCounted = true;
                    MeasureTools(options!.Tools!, ref counter);
                }

                counter.AddFixed(_version == Version.V1 ? InstructionAsText : BeginInstruction + EndInstruction);
                counter.StartSegment();
                MeasureUserContent(list, i, end, receivesSystemPrompt: systemTarget >= i && systemTarget < end, ref counter);
            }
            else
            {
                for (int m = i; m < end; m++)
                {
                    MeasureNonText(list[m], ref counter);
                }

                counter.StartSegment();
                int before = counter.Segments;
                for (int m = i; m < end; m++)
                {
                    AddText(list[m], ref counter, trimTrailingSpaces: _version != Version.V1 && role == ChatRole.Assistant && m == end - 1);
                }

                if (role == ChatRole.Assistant && counter.Segments > before)
                {
                    counter.AddFixed(EndOfSentence);
                }
            }

            i = end;
        }

        if (!toolsCounted)
        {
            // No user message to carry them: they go with the empty one inserted first.
            MeasureTools(options!.Tools!, ref counter);
        }
    }

    private static void MeasureTools(IList<AITool> tools, ref Counter counter)
    {
        // [AVAILABLE_TOOLS] … [/AVAILABLE_TOOLS].
        counter.AddFixed(2);
        for (int t = 0; t < tools.Count; t++)
        {
            if (tools[t] is AIFunctionDeclaration function)
            {
                counter.AddRendered(function, static f => f.Name + f.Description + f.JsonSchema.GetRawText());
            }
        }
    }

    /// <summary>The content of one user message (a run of them, joined), with the system prompt and a blank line before it when it receives the prompt.</summary>
    private void MeasureUserContent(IList<ChatMessage> list, int start, int end, bool receivesSystemPrompt, ref Counter counter)
    {
        int before = counter.Segments;
        if (receivesSystemPrompt)
        {
            MeasureSystemPrompt(list, ref counter);
        }

        int withPrompt = counter.Segments;
        for (int m = start; m < end; m++)
        {
            MeasureNonText(list[m], ref counter);
            AddText(list[m], ref counter);
        }

        if (withPrompt > before && counter.Segments == withPrompt)
        {
            // "system prompt\n\n" followed by empty content.
            counter.AddFixed(2);
        }
        else if (_version == Version.V1 && counter.Segments == before)
        {
            // "[INST]  [/INST]": empty content leaves one lone "▁".
            counter.AddFixed(1);
        }
    }

    private static void MeasureSystemPrompt(IList<ChatMessage> list, ref Counter counter)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Role == ChatRole.System)
            {
                MeasureNonText(list[i], ref counter);
                AddText(list[i], ref counter);
            }
        }
    }

    private static void AddText(ChatMessage message, ref Counter counter, bool trimTrailingSpaces = false)
    {
        IList<AIContent> contents = message.Contents;
        int last = -1;
        if (trimTrailingSpaces)
        {
            for (int i = contents.Count - 1; i >= 0 && last < 0; i--)
            {
                last = contents[i] is TextContent { Text.Length: > 0 } ? i : -1;
            }
        }

        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is TextContent { Text.Length: > 0 } text)
            {
                counter.AddText(i == last ? text.Text.TrimEnd(' ') : text.Text);
            }
        }
    }

    private static void MeasureNonText(ChatMessage message, ref Counter counter)
    {
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case FunctionCallContent call:
                    // [TOOL_CALLS] … end of sentence.
                    counter.AddFixed(2);
                    counter.AddRendered(call, static c => c.Name + ToolJson.Arguments(c.Arguments) + c.CallId);
                    break;
                case FunctionResultContent result:
                    // [TOOL_RESULTS] … [/TOOL_RESULTS].
                    counter.AddFixed(2);
                    counter.AddRendered(result, static r => r.CallId + r.Result switch
                    {
                        null => string.Empty,
                        string s => s,
                        JsonElement json => json.GetRawText(),
                        object o => ToolJson.Value(o),
                    });
                    break;
                case TextContent:
                    break;
                case TextReasoningContent reasoning:
                    counter.AddRendered(reasoning, static r => r.Text);
                    counter.AddBounded(ContentBounds.ProtectedReasoning(reasoning));
                    break;
                case var content when ContentBounds.IsBounded(content):
                    counter.AddBounded(ContentBounds.Bound(content, TokenizerFamily.MistralSentencePiece, counter.Bounds));
                    break;
                case var content:
                    // Text given as bytes and any other kind: their serialized form, as text.
                    counter.AddRendered(content, RequestTokenCounter.Render);
                    break;
            }
        }
    }

    /// <summary>Adds up one request; text joined with a blank line inside one segment costs the two line breaks and no leading-space prefix.</summary>
    private struct Counter(SentencePieceVocabulary vocabulary, bool countNew, ContentBoundOptions bounds)
    {
        public ContentTokenBound Bounded;
        public long Known;
        public long NewApproximate;
        public long NewBound;
        public bool HasUncounted;
        public int Segments;
        private long _slack;
        private bool _approximate;
        private bool _segmentOpen;

        public void AddFixed(long tokens) => Known += tokens;

        public void StartSegment() => _segmentOpen = false;

        public void AddText(string text)
        {
            bool joined = _segmentOpen;
            _segmentOpen = true;
            Segments++;
            if (joined)
            {
                Known += 2;
            }

            if (vocabulary.TryGetCached(text, joined, out int count))
            {
                Known += count;
            }
            else if (countNew)
            {
                Known += joined ? vocabulary.CountJoined(text) : vocabulary.Count(text);
            }
            else
            {
                HasUncounted = true;
                NewApproximate += (long)Math.Ceiling(text.Length / TokenEstimator.CharactersPerTokenForOtherFamilies);
                NewBound += ((long)text.Length * MaximumUtf16UnitsPerToken) + 1;
            }
        }

        public void AddRendered<T>(T item, Func<T, string> render)
            where T : class
        {
            int tokens = vocabulary.CountRendered(item, render);
            Known += tokens;
            _slack += (long)Math.Ceiling(tokens * 0.25) + 4;
            _approximate = true;
        }

        public readonly ContentBoundOptions Bounds => bounds;

        public void AddBounded(ContentTokenBound bound) => Bounded = Bounded.Add(bound);

        public readonly InputTokenEstimate Result() =>
            !Bounded.IsEmpty ? new InputTokenEstimate(Known + Bounded.Tokens, EstimatePrecision.Bounded, Known + _slack + Bounded.UpperBound) { BoundedContent = Bounded }
            : _approximate ? new InputTokenEstimate(Known, EstimatePrecision.Approximate, Known + _slack)
            : new InputTokenEstimate(Known, EstimatePrecision.Exact, Known);
    }
}
