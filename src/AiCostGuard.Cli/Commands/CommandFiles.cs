using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// The files a command reads and writes. <c>-</c> is standard input for every file option and standard output for
/// <c>--out</c>; input is strict UTF-8, JSON has no duplicate keys, so nothing is guessed from a malformed file.
/// </summary>
internal static class CommandFiles
{
    public const string StandardStream = "-";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding Utf8WithoutMark = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 64 };
    private static readonly AsyncLocal<StandardInput?> Input = new();

    /// <summary>Gives the commands run inside <paramref name="body"/> <paramref name="input"/> as their standard input.</summary>
    public static T WithStandardInput<T>(Stream input, Func<T> body)
    {
        StandardInput? outer = Input.Value;
        Input.Value = new StandardInput(input);
        try
        {
            return body();
        }
        finally
        {
            Input.Value = outer;
        }
    }

    /// <summary>The user-facing name of a file option's value: <c>standard input</c> for <c>-</c>.</summary>
    public static string Name(string path) => path == StandardStream ? "standard input" : path;

    /// <summary>The bytes of <paramref name="path"/>, or of standard input for <c>-</c> (read at most once per command).</summary>
    public static byte[] ReadBytes(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CommandInputException($"{option} needs a file name, or - for standard input.");
        }

        if (path != StandardStream)
        {
            return File.ReadAllBytes(path);
        }

        StandardInput input = Input.Value ?? (Input.Value = new StandardInput(Console.OpenStandardInput()));
        if (input.Claimed is { } other)
        {
            throw new CommandInputException($"{option} and {other} both read standard input (-); give at most one of them as -.");
        }

        input.Claimed = option;
        using var copy = new MemoryStream();
        input.Stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The text of <paramref name="path"/>, which must be UTF-8 (a byte-order mark is allowed).</summary>
    public static string ReadText(string option, string path)
    {
        byte[] bytes = ReadBytes(option, path);
        ReadOnlySpan<byte> text = bytes.AsSpan();
        if (text.StartsWith(Encoding.UTF8.Preamble))
        {
            text = text[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            return StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            throw new CommandInputException($"{Name(path)}: not valid UTF-8 (at byte {e.Index}).");
        }
    }

    /// <summary>The JSON document of <paramref name="path"/>: valid UTF-8 throughout, and no object with a key twice.</summary>
    public static JsonDocument ReadJson(string option, string path)
    {
        byte[] bytes = ReadBytes(option, path);
        return ParseJson(path, bytes);
    }

    /// <summary>Checks <paramref name="bytes"/> as <see cref="ReadJson"/> does and parses them.</summary>
    public static JsonDocument ParseJson(string path, byte[] bytes)
    {
        ReadOnlySpan<byte> json = bytes.AsSpan();
        if (json.StartsWith(Encoding.UTF8.Preamble))
        {
            json = json[Encoding.UTF8.Preamble.Length..];
        }

        // The parser checks the structure but leaves string contents to be decoded later, where invalid UTF-8 would
        // surface as an exception deep inside a command: refuse it here, at the boundary.
        if (!Utf8.IsValid(json))
        {
            throw new CommandInputException($"{Name(path)}: not valid UTF-8.");
        }

        try
        {
            return JsonDocument.Parse(json.ToArray(), StrictJson);
        }
        catch (JsonException e)
        {
            throw new CommandInputException($"{Name(path)}: not valid JSON ({e.Message})");
        }
    }

    /// <summary>Runs <paramref name="write"/> on the file <paramref name="path"/>, or on <paramref name="output"/> for <c>-</c>; returns whether a file was written.</summary>
    public static bool Write(string path, TextWriter output, Action<TextWriter> write)
    {
        if (path == StandardStream)
        {
            write(output);
            return false;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CommandInputException("--out needs a file name, or - for standard output.");
        }

        using var file = new StreamWriter(path, append: false, Utf8WithoutMark);
        write(file);
        return true;
    }

    private sealed class StandardInput(Stream stream)
    {
        public Stream Stream { get; } = stream;

        public string? Claimed { get; set; }
    }
}
