using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace AiCostGuard;

/// <summary>
/// The file a <see cref="JsonLinesCostLedger"/> appends to: <c>{prefix}-{yyyyMMdd}-{NNN}.jsonl</c>, one run of files
/// per UTC day, the next begun at the size limit, numbered on from the last already on disk so a restart appends rather
/// than overwrites. Every append is whole lines; an append cut short by a failure is taken back to its last whole line.
/// </summary>
/// <remarks>Used by the ledger's one background writer only; not thread-safe.</remarks>
internal sealed class JsonLinesLedgerFile
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maximumBytes;
    private SafeFileHandle? _handle;
    private long _length;
    private DateOnly _day;
    private int _sequence;
    private long _appendingAt = -1;

    public JsonLinesLedgerFile(string directory, string prefix, long maximumBytes)
    {
        _directory = directory;
        _prefix = prefix;
        _maximumBytes = maximumBytes;
    }

    /// <summary>Gets the path of the file last opened, or <see langword="null"/> before the first.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>Whether <paramref name="bytes"/> more fit the open file; a single line larger than an empty file's limit still goes in, as a record is never split.</summary>
    public bool Fits(long bytes, bool isFirstLine) => _length + bytes <= _maximumBytes || (_length == 0 && isFirstLine);

    /// <summary>Opens the file for <paramref name="day"/>, unless it is open already.</summary>
    public void Open(DateOnly day)
    {
        if (_handle is not null && day == _day)
        {
            return;
        }

        Close();
        if (day != _day)
        {
            _day = day;
            _sequence = LastSequenceOnDisk(day);
        }

        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{day:yyyyMMdd}-{_sequence:000}{CostLedgerSchema.FileExtension}"));
        SafeFileHandle handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            _length = RandomAccess.GetLength(handle);
            StartOnNewLine(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        _handle = handle;
        CurrentPath = path;
    }

    /// <summary>Appends whole lines to the open file.</summary>
    public void Append(ReadOnlySpan<byte> lines)
    {
        _appendingAt = _length;
        RandomAccess.Write(_handle!, lines, _length);
        _appendingAt = -1;
        _length += lines.Length;
    }

    /// <summary>
    /// After <see cref="Append"/> failed, counts the lines that reached the disk whole and takes back a cut one;
    /// <paramref name="lineEnds"/> are the end offsets of the lines that were being appended.
    /// </summary>
    /// <returns>How many of those lines are on disk: 0 when no append was under way.</returns>
    public int KeepWholeLines(IReadOnlyList<int> lineEnds)
    {
        long offset = _appendingAt;
        _appendingAt = -1;
        if (offset < 0)
        {
            return 0;
        }

        long landed;
        try
        {
            landed = RandomAccess.GetLength(_handle!) - offset;
        }
        catch (IOException)
        {
            // The length is unknown: count nothing as written, and let the next opening start a fresh line.
            Close();
            return 0;
        }

        int whole = 0;
        while (whole < lineEnds.Count && lineEnds[whole] <= landed)
        {
            whole++;
        }

        long kept = whole == 0 ? 0 : lineEnds[whole - 1];
        _length = offset + kept;
        if (landed > kept)
        {
            try
            {
                RandomAccess.SetLength(_handle!, _length);
            }
            catch (IOException)
            {
                // The cut line stays; the next opening of the file starts a new line after it, so no record merges with it.
                Close();
            }
        }

        return whole;
    }

    /// <summary>Closes the open file and makes the next opening begin the next file of the day.</summary>
    public void Next()
    {
        Close();
        _sequence++;
    }

    public void Close()
    {
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Ends a line cut short (by a crash, or a write that failed) before appending, so the next record reads whole.</summary>
    private void StartOnNewLine(SafeFileHandle handle)
    {
        if (_length == 0)
        {
            return;
        }

        Span<byte> last = stackalloc byte[1];
        if (RandomAccess.Read(handle, last, _length - 1) == 1 && last[0] != (byte)'\n')
        {
            RandomAccess.Write(handle, "\n"u8, _length);
            _length++;
        }
    }

    /// <summary>Continues after the last file of the day already on disk, so a restart appends rather than overwrites.</summary>
    private int LastSequenceOnDisk(DateOnly day)
    {
        if (!Directory.Exists(_directory))
        {
            return 0;
        }

        string stem = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{day:yyyyMMdd}-");
        int last = -1;
        foreach (string path in Directory.EnumerateFiles(_directory, stem + "*" + CostLedgerSchema.FileExtension))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (int.TryParse(name.AsSpan(stem.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int sequence))
            {
                last = Math.Max(last, sequence);
            }
        }

        return Math.Max(last, 0);
    }
}
