namespace AiCostGuard.Tests.Estimation;

/// <summary>
/// A provider whose reported input is simulated: the messages' text counted with a tokenizer that ships with the library,
/// plus a chat-template overhead per request and per message. Used for the families whose own tokenizer cannot ship
/// (Claude, Gemini, Llama, Mistral Tekken, unknown models): each is simulated by a different real vocabulary, so the
/// estimator is measured against real tokenization behaviour, though not that family's own.
/// </summary>
internal sealed record SimulatedProvider(string ModelId, string Simulation, Func<string, int> Count, int PerRequest, int PerMessage)
{
    public static readonly SimulatedProvider[] Estimated =
    [
        // Llama 3's vocabulary holds cl100k_base's 100k tokens plus 28k more, with the same pre-tokenizer; its template is the published one.
        new("llama-3.1-70b-instruct", "cl100k_base, Llama 3 template (1 + 5 per message + 4)", text => TiktokenEncoding.Cl100kBase.CountUncached(text), 5, 5),
        new("claude-sonnet-4-5", "Mistral v3 SentencePiece, 8 per request + 3 per message", text => SentencePieceVocabulary.MistralV3.CountUncached(text), 8, 3),
        new("gemini-2.5-flash", "o200k_base, 1 per request + 3 per message", text => TiktokenEncoding.O200kBase.CountUncached(text), 1, 3),
        new("mistral-small-2503", "Mistral v1 SentencePiece, 1 per request + 2 per message", text => SentencePieceVocabulary.MistralV1.CountUncached(text), 1, 2),
        new("acme-chat-1", "o200k_base, OpenAI's template (3 + 4 per message)", text => TiktokenEncoding.O200kBase.CountUncached(text), 3, 4),
    ];

    public long Report(IReadOnlyList<ChatMessage> messages)
    {
        long total = PerRequest;
        foreach (ChatMessage message in messages)
        {
            total += PerMessage + Count(message.Text);
        }

        return total;
    }
}
