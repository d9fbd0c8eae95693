using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// The one home of the rules that bound input which cannot be counted as text before sending, per content kind, from
/// the providers' published limits. Every estimator (tiktoken, Mistral's template, the character-class estimate)
/// bounds such content here, so a ceiling holds whichever family the model is in.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Images: by pixel size when the header is readable (<see cref="ImageTokenCounter.CountFor"/>), else the family's largest image.</item>
/// <item>PDFs: pages (counted from the page objects, compressed ones included; else one page per <see cref="MinimumBytesPerPdfPage"/> bytes, at most the family's page limit) × (<see cref="MaximumTextTokensPerPdfPage"/> of text + a page image).</item>
/// <item>Audio: seconds (a WAV header's duration; else the bytes at <see cref="MinimumAudioBytesPerSecond"/>, the lowest bitrate a provider accepts) × <see cref="MaximumAudioTokensPerSecond"/>.</item>
/// <item>Video: seconds (an MP4 header's duration; else the bytes at <see cref="MinimumVideoBytesPerSecond"/>) × <see cref="MaximumVideoTokensPerSecond"/>.</item>
/// <item>Encrypted reasoning sent back: one token per character of the blob (<see cref="ProtectedReasoning"/>); its readable text is counted as text.</item>
/// <item>Other bytes: one token per byte, the most a byte-level vocabulary spends (text media types are counted as text instead).</item>
/// <item>Hosted files, vector stores and non-image URIs: by size and media type when the file's size is known, else <see cref="ContentBoundOptions.MaximumTokensPerFileReference"/>; so is content of a kind that does not serialize.</item>
/// </list>
/// Measurements read from bytes are cached per content instance, so a history re-sent on every turn re-reads nothing.
/// </remarks>
internal static class ContentBounds
{
    /// <summary>The text of a dense PDF page by Anthropic's published range (1,500–3,000 tokens per page); a page image is added to it.</summary>
    public const int MaximumTextTokensPerPdfPage = 3000;

    /// <summary>The text tokens of a typical PDF page: the low end of Anthropic's range.</summary>
    public const int TypicalTextTokensPerPdfPage = 1500;

    /// <summary>The fewest bytes a PDF page takes when its pages cannot be counted: a page object and an almost empty content stream.</summary>
    public const int MinimumBytesPerPdfPage = 256;

    /// <summary>The lowest audio bitrate a provider accepts (Opus at 6 kbit/s), in bytes per second: the longest a clip of unknown duration can play.</summary>
    public const int MinimumAudioBytesPerSecond = 750;

    /// <summary>The most tokens a second of audio costs: Gemini's published 32 (OpenAI's audio input costs about 10).</summary>
    public const int MaximumAudioTokensPerSecond = 32;

    /// <summary>The lowest video bitrate bounded for (10 kbit/s), in bytes per second.</summary>
    public const int MinimumVideoBytesPerSecond = 1250;

    /// <summary>The tokens a second of video costs: Gemini's published ~300 at default media resolution (a 258-token frame per second, 32 for audio, metadata).</summary>
    public const int MaximumVideoTokensPerSecond = 300;

    private static readonly ConditionalWeakTable<DataContent, Measure> Measures = [];

    /// <summary>Gets the bounds of a pipeline that configures none.</summary>
    public static ContentBoundOptions DefaultOptions { get; } = new();

    /// <summary>Whether <paramref name="content"/> is bounded here; text, reasoning, function calls and results, text given as bytes and content of any other kind that serializes to JSON are counted as text.</summary>
    public static bool IsBounded(AIContent content) => content switch
    {
        DataContent data => !IsText(data.MediaType),
        UriContent or HostedFileContent or HostedVectorStoreContent => true,
        TextContent or TextReasoningContent or FunctionCallContent or FunctionResultContent => false,
        _ => !AIJsonUtilities.DefaultOptions.TryGetTypeInfo(content.GetType(), out _),
    };

    /// <summary>Whether bytes of <paramref name="mediaType"/> are text, counted as their UTF-8 characters.</summary>
    public static bool IsText(string? mediaType) =>
        mediaType is not null && (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("/xml", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The reasoning a provider returned encrypted (<see cref="TextReasoningContent.ProtectedData"/>) and is sent back with
    /// the history: at most one token per character of the blob, which is larger than the text it encrypts; estimated at
    /// a quarter of that.
    /// </summary>
    public static ContentTokenBound ProtectedReasoning(TextReasoningContent reasoning) =>
        reasoning.ProtectedData is { Length: > 0 } data ? new(Ceiling(data.Length, 4), data.Length) : default;

    /// <summary>Bounds one content that <see cref="IsBounded"/> for a model of <paramref name="family"/>.</summary>
    public static ContentTokenBound Bound(AIContent content, TokenizerFamily family, ContentBoundOptions options) => content switch
    {
        DataContent data => BoundData(data, family),
        UriContent uri when uri.HasTopLevelMediaType("image") => ImageTokenCounter.Unsized(family),
        HostedFileContent file when file.HasTopLevelMediaType("image") => ImageTokenCounter.Unsized(family),
        HostedFileContent { SizeInBytes: > 0 } file => BoundBySize(file.MediaType, file.SizeInBytes.Value, family),
        _ => new(options.MaximumTokensPerFileReference, options.MaximumTokensPerFileReference),
    };

    private static ContentTokenBound BoundData(DataContent data, TokenizerFamily family)
    {
        Measure measure = Measures.GetValue(data, static d => Measure.Of(d));
        return measure.Kind switch
        {
            MediaKind.Image when measure.Width > 0 => Same(ImageTokenCounter.CountFor(family, measure.Width, measure.Height)),
            MediaKind.Pdf when measure.Units > 0 => Pages(measure.Units, family),
            MediaKind.Audio when measure.Units > 0 => Audio(measure.Units, family),
            MediaKind.Video when measure.Units > 0 => Video(measure.Units),
            _ => BoundBySize(data.MediaType, data.Data.Length, family),
        };
    }

    /// <summary>Content known only by media type and size: the longest play and the most pages those bytes can hold.</summary>
    private static ContentTokenBound BoundBySize(string? mediaType, long bytes, TokenizerFamily family) => Measure.KindOf(mediaType) switch
    {
        MediaKind.Image => ImageTokenCounter.Unsized(family),
        MediaKind.Pdf => Pages(Math.Min(PdfPageLimit(family), Math.Max(1, Ceiling(bytes, MinimumBytesPerPdfPage))), family),
        MediaKind.Audio => Audio(Math.Max(1, Ceiling(bytes, MinimumAudioBytesPerSecond)), family),
        MediaKind.Video => Video(Math.Max(1, Ceiling(bytes, MinimumVideoBytesPerSecond))),
        _ => new(Ceiling(bytes, 4), Math.Max(1, bytes)),
    };

    private static ContentTokenBound Pages(long pages, TokenizerFamily family)
    {
        ContentTokenBound image = ImageTokenCounter.Unsized(family);
        return new(pages * (TypicalTextTokensPerPdfPage + image.Tokens), pages * (MaximumTextTokensPerPdfPage + image.UpperBound));
    }

    private static ContentTokenBound Audio(long seconds, TokenizerFamily family) =>
        new(seconds * (family == TokenizerFamily.OpenAI ? 10 : MaximumAudioTokensPerSecond), seconds * MaximumAudioTokensPerSecond);

    private static ContentTokenBound Video(long seconds) => Same(seconds * MaximumVideoTokensPerSecond);

    /// <summary>The most pages a provider takes in one request: 100 for OpenAI, 600 for Claude (with a 1M-token context), 1,000 for Gemini and any other.</summary>
    private static long PdfPageLimit(TokenizerFamily family) => family switch
    {
        TokenizerFamily.OpenAI => 100,
        TokenizerFamily.Claude => 600,
        _ => 1000,
    };

    private static ContentTokenBound Same(long tokens) => new(tokens, tokens);

    private static long Ceiling(long value, long divisor) => (value + divisor - 1) / divisor;

    private enum MediaKind
    {
        Other,
        Image,
        Pdf,
        Audio,
        Video,
    }

    /// <summary>What was read from one content's bytes: its kind, and its pixel size, pages or seconds (0 when unread).</summary>
    private sealed class Measure
    {
        public MediaKind Kind { get; private init; }

        public int Width { get; private init; }

        public int Height { get; private init; }

        public long Units { get; private init; }

        public static MediaKind KindOf(string? mediaType) =>
            mediaType is null ? MediaKind.Other
            : mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ? MediaKind.Image
            : mediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase) ? MediaKind.Pdf
            : mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) ? MediaKind.Audio
            : mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ? MediaKind.Video
            : MediaKind.Other;

        public static Measure Of(DataContent data)
        {
            MediaKind kind = KindOf(data.MediaType);
            ReadOnlySpan<byte> bytes = data.Data.Span;
            switch (kind)
            {
                case MediaKind.Image when ImageTokenCounter.TryReadSize(bytes, out int width, out int height):
                    return new Measure { Kind = kind, Width = width, Height = height };
                case MediaKind.Pdf:
                    return new Measure { Kind = kind, Units = MediaHeaders.PdfPages(bytes) ?? 0 };
                case MediaKind.Audio:
                    return new Measure { Kind = kind, Units = Seconds(MediaHeaders.WavSeconds(bytes)) };
                case MediaKind.Video:
                    return new Measure { Kind = kind, Units = Seconds(MediaHeaders.Mp4Seconds(bytes)) };
                default:
                    return new Measure { Kind = kind };
            }
        }

        private static long Seconds(double? seconds) => seconds is > 0 ? (long)Math.Min(Math.Ceiling(seconds.Value), int.MaxValue) : 0;
    }
}
