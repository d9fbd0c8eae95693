namespace AiCostGuard;

/// <summary>The tokenizer family of a model: which vocabulary and chat template its input is counted or estimated with.</summary>
public enum TokenizerFamily
{
    /// <summary>A model of no known family: estimated with generic rates, calibrated from its reported usage.</summary>
    Unknown,

    /// <summary>OpenAI models on <c>o200k_base</c> or <c>cl100k_base</c>: counted exactly.</summary>
    OpenAI,

    /// <summary>Mistral models on a SentencePiece vocabulary that ships with the library (Mistral 7B, Mixtral, Codestral 22B, Mistral Large 2407/2411): counted exactly.</summary>
    MistralSentencePiece,

    /// <summary>Mistral models on the Tekken vocabulary (Nemo, Ministral, Pixtral, Mistral Small/Medium from 2409 on, Magistral, Devstral): estimated.</summary>
    MistralTekken,

    /// <summary>Anthropic Claude: estimated (no public tokenizer).</summary>
    Claude,

    /// <summary>Google Gemini and Gemma: estimated.</summary>
    Gemini,

    /// <summary>Meta Llama: estimated (the vocabularies' licences do not allow shipping them under this library's licence).</summary>
    Llama,
}
