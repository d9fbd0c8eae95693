using System.Buffers.Binary;
using System.IO.Compression;

namespace AiCostGuard;

/// <summary>
/// Reads what bounds a media input from its bytes, cheaply and without decoding it: a WAV file's duration, an MP4 file's
/// declared duration, a PDF's page count. Each returns <see langword="null"/> when the bytes do not say, and the caller
/// falls back to a bound from the byte count.
/// </summary>
internal static class MediaHeaders
{
    /// <summary>The most a PDF's object streams are inflated to while counting its pages: a guard against compression bombs.</summary>
    private const int MaximumInflatedBytes = 64 * 1024 * 1024;

    /// <summary>The seconds of a RIFF/WAVE file, from its format and data chunks; a data chunk longer than the bytes (a stream's placeholder size) counts the bytes there are.</summary>
    public static double? WavSeconds(ReadOnlySpan<byte> data)
    {
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        long byteRate = 0, frameRate = 0;
        int at = 12;
        while (at + 8 <= data.Length)
        {
            ReadOnlySpan<byte> id = data.Slice(at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 4)..]);
            int body = at + 8;
            if (id.SequenceEqual("fmt "u8) && body + 16 <= data.Length)
            {
                long sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(data[(body + 4)..]);
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(data[(body + 8)..]);
                frameRate = sampleRate * BinaryPrimitives.ReadUInt16LittleEndian(data[(body + 12)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                long bytes = Math.Min(size, data.Length - body);

                // A decoder plays samples at the sample rate: of the two rates the header gives, the slower is the longer play.
                long rate = frameRate > 0 && byteRate > 0 ? Math.Min(frameRate, byteRate) : Math.Max(frameRate, byteRate);
                return rate > 0 ? (double)bytes / rate : null;
            }

            at = (int)Math.Min(int.MaxValue, body + size + (size & 1));
        }

        return null;
    }

    /// <summary>The seconds an MP4 (ISO base media) file declares in its movie header (<c>mvhd</c>).</summary>
    public static double? Mp4Seconds(ReadOnlySpan<byte> data)
    {
        int at = data.IndexOf("mvhd"u8);
        if (at < 4 || at + 32 > data.Length)
        {
            return null;
        }

        int body = at + 4;
        bool wide = data[body] == 1;
        long timescale, duration;
        if (wide)
        {
            if (body + 32 > data.Length)
            {
                return null;
            }

            timescale = BinaryPrimitives.ReadUInt32BigEndian(data[(body + 20)..]);
            duration = BinaryPrimitives.ReadInt64BigEndian(data[(body + 24)..]);
        }
        else
        {
            timescale = BinaryPrimitives.ReadUInt32BigEndian(data[(body + 12)..]);
            duration = BinaryPrimitives.ReadUInt32BigEndian(data[(body + 16)..]);
            duration = duration == uint.MaxValue ? 0 : duration;
        }

        return timescale > 0 && duration > 0 ? (double)duration / timescale : null;
    }

    /// <summary>
    /// The page objects of a PDF: every <c>/Type /Page</c> dictionary, in the file and in its compressed object streams.
    /// Superseded pages of incremental updates are counted too, so the count is never below the pages a reader renders.
    /// </summary>
    public static int? PdfPages(ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith("%PDF-"u8))
        {
            return null;
        }

        int pages = CountPageObjects(data);
        int budget = MaximumInflatedBytes;
        for (int at = data.IndexOf("/ObjStm"u8); at >= 0;)
        {
            if (Inflate(data, at, ref budget) is not { } inflated)
            {
                // A stream that cannot be read may hold pages: the count would not be a bound.
                return null;
            }

            pages += CountPageObjects(inflated);
            int next = data[(at + 7)..].IndexOf("/ObjStm"u8);
            at = next < 0 ? -1 : at + 7 + next;
        }

        return pages > 0 ? pages : null;
    }

    private static int CountPageObjects(ReadOnlySpan<byte> data)
    {
        int count = 0;
        for (int at = data.IndexOf("/Type"u8); at >= 0;)
        {
            int i = at + 5;
            while (i < data.Length && IsWhitespace(data[i]))
            {
                i++;
            }

            if (data[i..].StartsWith("/Page"u8) && (i + 5 == data.Length || IsDelimiter(data[i + 5])))
            {
                count++;
            }

            int next = data[(at + 5)..].IndexOf("/Type"u8);
            at = next < 0 ? -1 : at + 5 + next;
        }

        return count;
    }

    /// <summary>The inflated body of the Flate-encoded stream whose dictionary names <c>/ObjStm</c> at <paramref name="at"/>.</summary>
    private static byte[]? Inflate(ReadOnlySpan<byte> data, int at, ref int budget)
    {
        // The stream's dictionary runs from its object's "obj" keyword to "stream"; its filter may come before or after /ObjStm.
        int open = Math.Max(0, data[..at].LastIndexOf("obj"u8));
        int stream = data[at..].IndexOf("stream"u8);
        if (stream < 0 || data[open..(at + stream)].IndexOf("/FlateDecode"u8) < 0)
        {
            return null;
        }

        int start = at + stream + 6;
        start += data[start..].StartsWith("\r\n"u8) ? 2 : data[start..].StartsWith("\n"u8) ? 1 : 0;
        int end = data[start..].IndexOf("endstream"u8);
        if (end < 0)
        {
            return null;
        }

        try
        {
            using var compressed = new MemoryStream(data.Slice(start, end).ToArray(), writable: false);
            using var inflate = new ZLibStream(compressed, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] buffer = new byte[81920];
            int read;
            while ((read = inflate.Read(buffer)) > 0)
            {
                budget -= read;
                if (budget < 0)
                {
                    return null;
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            // A stream that does not inflate may hold pages: no count.
            return null;
        }
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)'\f' or 0;

    private static bool IsDelimiter(byte b) => IsWhitespace(b) || b is (byte)'/' or (byte)'>' or (byte)'<' or (byte)'[' or (byte)']' or (byte)'(' or (byte)')' or (byte)'%';
}
