using System.Buffers.Binary;

namespace AiCostGuard;

/// <summary>
/// Counts an image input by each provider's published rule. OpenAI: low detail costs 85 tokens; high detail scales the
/// image to fit in 2048×2048, then its shortest side to 768 px, and costs 170 per 512-px tile plus 85. Anthropic:
/// width × height / 750 once the long edge is at most 1568 px. Gemini: 258 tokens for an image within 384×384, else 258
/// per 768-px tile once it fits in 3072×3072, and up to 1120 at high media resolution. Mistral (Pixtral): one token per
/// 16-px patch, plus one per row, once it fits in 1024×1024.
/// </summary>
internal static class ImageTokenCounter
{
    /// <summary>The most an Anthropic image costs: 784×1568 / 750, the largest size Anthropic's table sends unresized.</summary>
    public const int MaximumClaudeTokens = 1640;

    /// <summary>The tokens of the largest square Anthropic sends unresized (1092×1092 / 750): the estimate of a Claude image of unknown size.</summary>
    public const int TypicalClaudeTokens = 1590;

    /// <summary>The most a Gemini image costs: 16 tiles of 258 tokens (3072×3072).</summary>
    public const int MaximumGeminiTokens = 16 * GeminiTileTokens;

    /// <summary>The most a Pixtral image costs: 64 × 64 patches and 64 row breaks (1024×1024).</summary>
    public const int MaximumPixtralTokens = (64 * 64) + 64;

    private const int GeminiTileTokens = 258;
    private const int GeminiHighResolutionTokens = 1120;
    public const int LowDetailTokens = 85;
    public const int TokensPerTile = 170;
    public const int BaseTokens = 85;

    /// <summary>Tokens for an image of the given size at the given detail (<c>low</c>; anything else is high).</summary>
    public static int Count(int width, int height, bool lowDetail)
    {
        if (lowDetail)
        {
            return LowDetailTokens;
        }

        double w = width;
        double h = height;
        if (w > 2048 || h > 2048)
        {
            double fit = 2048 / Math.Max(w, h);
            w *= fit;
            h *= fit;
        }

        if (Math.Min(w, h) > 768)
        {
            double shrink = 768 / Math.Min(w, h);
            w *= shrink;
            h *= shrink;
        }

        long tiles = (long)Math.Ceiling(Math.Round(w, 6) / 512) * (long)Math.Ceiling(Math.Round(h, 6) / 512);
        return (int)((tiles * TokensPerTile) + BaseTokens);
    }

    /// <summary>The tokens an image of the given size costs a model of <paramref name="family"/> at high detail; for a family without a published rule, the largest of the rules.</summary>
    public static int CountFor(TokenizerFamily family, int width, int height) => family switch
    {
        TokenizerFamily.OpenAI => Count(width, height, lowDetail: false),
        TokenizerFamily.Claude => CountClaude(width, height),
        TokenizerFamily.Gemini => CountGemini(width, height),
        TokenizerFamily.MistralSentencePiece or TokenizerFamily.MistralTekken => CountPixtral(width, height),
        _ => Math.Max(Math.Max(Count(width, height, lowDetail: false), CountClaude(width, height)), Math.Max(CountGemini(width, height), CountPixtral(width, height))),
    };

    /// <summary>What an image of unknown size costs a model of <paramref name="family"/>: a typical image, and the most one can cost.</summary>
    public static ContentTokenBound Unsized(TokenizerFamily family) => family switch
    {
        TokenizerFamily.OpenAI => new(TokenEstimator.TokensPerImage, TokenEstimator.MaximumTokensPerImage),
        TokenizerFamily.Claude => new(TypicalClaudeTokens, MaximumClaudeTokens),
        TokenizerFamily.Gemini => new(GeminiHighResolutionTokens, MaximumGeminiTokens),
        TokenizerFamily.MistralSentencePiece or TokenizerFamily.MistralTekken => new(TypicalClaudeTokens, MaximumPixtralTokens),
        _ => new(TypicalClaudeTokens, Math.Max(MaximumGeminiTokens, MaximumPixtralTokens)),
    };

    private static int CountClaude(int width, int height)
    {
        double scale = Math.Min(1, 1568.0 / Math.Max(width, height));
        double tokens = Math.Ceiling(Math.Round(width * scale * height * scale, 6) / 750);
        return (int)Math.Min(tokens, MaximumClaudeTokens);
    }

    private static int CountGemini(int width, int height)
    {
        double scale = Math.Min(1, 3072.0 / Math.Max(width, height));
        double w = Math.Round(width * scale, 6), h = Math.Round(height * scale, 6);
        int tiles = w <= 384 && h <= 384 ? 1 : (int)(Math.Ceiling(w / 768) * Math.Ceiling(h / 768));
        return Math.Max(tiles * GeminiTileTokens, GeminiHighResolutionTokens);
    }

    private static int CountPixtral(int width, int height)
    {
        double scale = Math.Min(1, 1024.0 / Math.Max(width, height));
        int columns = (int)Math.Ceiling(Math.Round(width * scale, 6) / 16), rows = (int)Math.Ceiling(Math.Round(height * scale, 6) / 16);
        return (columns * rows) + rows;
    }

    /// <summary>Reads the pixel size from a PNG, JPEG, GIF or WebP header.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        if (data.Length >= 24 && data[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            width = BinaryPrimitives.ReadInt32BigEndian(data[16..]);
            height = BinaryPrimitives.ReadInt32BigEndian(data[20..]);
        }
        else if (data.Length >= 10 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F')
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
        }
        else if (data.Length >= 30 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            ReadWebP(data, out width, out height);
        }
        else if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8)
        {
            ReadJpeg(data, out width, out height);
        }

        return width > 0 && height > 0;
    }

    private static void ReadWebP(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        ReadOnlySpan<byte> chunk = data.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
        {
            width = 1 + (data[24] | (data[25] << 8) | (data[26] << 16));
            height = 1 + (data[27] | (data[28] << 8) | (data[29] << 16));
        }
        else if (chunk.SequenceEqual("VP8L"u8) && data[20] == 0x2F)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            width = 1 + (int)(bits & 0x3FFF);
            height = 1 + (int)((bits >> 14) & 0x3FFF);
        }
        else if (chunk.SequenceEqual("VP8 "u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF;
        }
    }

    private static void ReadJpeg(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        int i = 2;
        while (i + 9 < data.Length)
        {
            if (data[i] != 0xFF)
            {
                return;
            }

            byte marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 2)..]);

            // Start-of-frame markers (baseline, progressive, lossless...) carry the size; DHT, JPG and DAC share the range but do not.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(data[(i + 7)..]);
                return;
            }

            i += 2 + length;
        }
    }
}
