using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AiCostGuard.Tests.Estimation;

/// <summary>Builds media files with real headers, of a chosen size, for the content-bounding tests.</summary>
internal static class MediaSamples
{
    /// <summary>A PDF of <paramref name="pages"/> pages padded with an image stream to <paramref name="size"/> bytes; with <paramref name="compressed"/> its page objects sit in a Flate object stream.</summary>
    public static byte[] Pdf(int pages, int size, bool compressed = false)
    {
        var pdf = new MemoryStream();
        Write(pdf, "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        string kids = string.Join(' ', Enumerable.Range(0, pages).Select(p => $"{10 + p} 0 R"));
        Write(pdf, $"2 0 obj\n<< /Type /Pages /Kids [{kids}] /Count {pages} >>\nendobj\n");
        string[] pageObjects = [.. Enumerable.Range(0, pages).Select(_ => "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")];
        if (compressed)
        {
            byte[] body = Encoding.ASCII.GetBytes(string.Join('\n', pageObjects));
            var deflated = new MemoryStream();
            using (var z = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                z.Write(body);
            }

            Write(pdf, $"3 0 obj\n<< /Filter /FlateDecode /Type /ObjStm /N {pages} /First 0 /Length {deflated.Length} >>\nstream\n");
            pdf.Write(deflated.ToArray());
            Write(pdf, "\nendstream\nendobj\n");
        }
        else
        {
            for (int p = 0; p < pages; p++)
            {
                Write(pdf, $"{10 + p} 0 obj\n{pageObjects[p]}\nendobj\n");
            }
        }

        int padding = Math.Max(0, size - (int)pdf.Length - 64);
        Write(pdf, $"4 0 obj\n<< /Length {padding} >>\nstream\n");
        pdf.Write(Noise(padding, seed: pages));
        Write(pdf, "\nendstream\nendobj\n%%EOF\n");
        return pdf.ToArray();
    }

    /// <summary>A PCM WAV file of the given rate, channels and sample width, <paramref name="seconds"/> long.</summary>
    public static byte[] Wav(int sampleRate, short channels, short bitsPerSample, double seconds)
    {
        short blockAlign = (short)(channels * bitsPerSample / 8);
        int dataBytes = (int)(sampleRate * blockAlign * seconds);
        byte[] wav = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), channels);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), sampleRate * blockAlign);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), blockAlign);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), bitsPerSample);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), dataBytes);
        Noise(dataBytes, seed: sampleRate).CopyTo(wav.AsSpan(44));
        return wav;
    }

    /// <summary>An MP4 file whose movie header declares <paramref name="seconds"/>, padded to <paramref name="size"/> bytes of media data.</summary>
    public static byte[] Mp4(int seconds, int size)
    {
        byte[] mp4 = new byte[Math.Max(size, 128)];
        BinaryPrimitives.WriteInt32BigEndian(mp4, 24);
        "ftypisom"u8.CopyTo(mp4.AsSpan(4));
        int moov = 24;
        BinaryPrimitives.WriteInt32BigEndian(mp4.AsSpan(moov), 8 + 108);
        "moov"u8.CopyTo(mp4.AsSpan(moov + 4));
        int mvhd = moov + 8;
        BinaryPrimitives.WriteInt32BigEndian(mp4.AsSpan(mvhd), 108);
        "mvhd"u8.CopyTo(mp4.AsSpan(mvhd + 4));
        BinaryPrimitives.WriteInt32BigEndian(mp4.AsSpan(mvhd + 20), 1000);
        BinaryPrimitives.WriteInt32BigEndian(mp4.AsSpan(mvhd + 24), seconds * 1000);
        return mp4;
    }

    /// <summary>The 24 header bytes of a PNG of the given size: all the estimator reads.</summary>
    public static byte[] Png(int width, int height)
    {
        byte[] png = new byte[33];
        ((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]).CopyTo(png);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(8), 13);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    public static byte[] Noise(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
