using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// The count of records handed to one <see cref="PostgreSqlCostLedger"/>, which also numbers them: record n of a writer
/// has sequence n, without a gap. With a journal directory the count lives in a small memory-mapped file
/// (<c>{schema}-{writer}.handoff</c>), so it outlives the process: a process killed outright leaves its count in the
/// operating system's page cache, and a later ledger or <c>aicostguard writers --journal</c> stores it in
/// <c>{schema}.writers</c>, where what the writer was handed and never stored is counted. The file is held with an
/// exclusive lock while its writer lives, which tells a live writer's journal from a dead one's.
/// </summary>
/// <remarks>Thread-safe: <see cref="Next"/> is one interlocked increment.</remarks>
internal sealed unsafe class HandOffJournal : IDisposable
{
    private const string Extension = ".handoff";
    private const int Size = 64;
    private const long Magic = 0x314A_4F48_4743_41; // "ACGHOJ1" little-endian

    // Offsets in the file: the magic, the count (8-byte aligned for the interlocked increment), the start time in UTC
    // ticks, the process id.
    private const int CountOffset = 8;
    private const int StartedOffset = 16;
    private const int ProcessOffset = 24;

    private readonly FileStream? _file;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly long* _count;
    private long _memoryCount;
    private bool _disposed;

    private HandOffJournal(string writer, DateTimeOffset startedAt, FileStream? file = null, MemoryMappedFile? map = null, MemoryMappedViewAccessor? view = null, long* count = null)
    {
        Writer = writer;
        StartedAt = startedAt;
        _file = file;
        _map = map;
        _view = view;
        _count = count;
    }

    /// <summary>Gets the writer's name: 16 hex digits, the first half of every record id it writes.</summary>
    public string Writer { get; }

    /// <summary>Gets when the writer started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets the path of the journal file, or <see langword="null"/> when the count is kept in memory only.</summary>
    public string? Path => _file?.Name;

    /// <summary>Gets how many records have been handed over.</summary>
    public long Count => _count is null ? Volatile.Read(ref _memoryCount) : Volatile.Read(ref *_count);

    /// <summary>The writer's name for the id prefix <paramref name="prefix"/>: the first 16 hex digits of its record ids as PostgreSQL prints them.</summary>
    public static string WriterName(ulong prefix) => RecordId(prefix, 0).ToString("N", CultureInfo.InvariantCulture)[..16];

    /// <summary>
    /// The id of record <paramref name="sequence"/> of the writer <paramref name="prefix"/>: random per writer,
    /// sequential within it (big-endian, as PostgreSQL compares uuids), so each writer appends to its own part of the index.
    /// </summary>
    public static Guid RecordId(ulong prefix, long sequence)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, prefix);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], sequence);
        return new Guid(bytes);
    }

    /// <summary>Starts the count of a new writer: in a journal file in <paramref name="directory"/>, or in memory when it is <see langword="null"/>.</summary>
    /// <exception cref="IOException">The journal file cannot be created.</exception>
    public static HandOffJournal Start(string? directory, string schema, ulong prefix, DateTimeOffset now)
    {
        string writer = WriterName(prefix);
        if (directory is null)
        {
            return new HandOffJournal(writer, now);
        }

        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, schema + "-" + writer + Extension);

        // FileShare.None takes an exclusive lock on the file, held for the writer's life and released by its death.
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            file.SetLength(Size);
            MemoryMappedFile map = MemoryMappedFile.CreateFromFile(file, null, Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            MemoryMappedViewAccessor view = map.CreateViewAccessor(0, Size);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            start += view.PointerOffset;
            *(long*)(start + StartedOffset) = now.UtcTicks;
            *(int*)(start + ProcessOffset) = Environment.ProcessId;
            *(long*)start = Magic;
            return new HandOffJournal(writer, now, file, map, view, (long*)(start + CountOffset));
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Reads the journals in <paramref name="directory"/> of writers to <paramref name="schema"/> that are no longer alive
    /// (their file is not locked); a journal a live writer holds is left alone.
    /// </summary>
    public static IReadOnlyList<DeadWriter> FindDead(string directory, string schema)
    {
        var dead = new List<DeadWriter>();
        if (!Directory.Exists(directory))
        {
            return dead;
        }

        Span<byte> bytes = stackalloc byte[Size];
        foreach (string path in Directory.EnumerateFiles(directory, schema + "-*" + Extension))
        {
            string writer = System.IO.Path.GetFileNameWithoutExtension(path)[(schema.Length + 1)..];
            if (writer.Length != 16 || !writer.All(char.IsAsciiHexDigitLower))
            {
                continue;
            }

            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                if (file.Length != Size || file.ReadAtLeast(bytes, Size, throwOnEndOfStream: false) != Size || BinaryPrimitives.ReadInt64LittleEndian(bytes) != Magic)
                {
                    // Created but killed before its header was written: it was handed nothing.
                    dead.Add(new DeadWriter(writer, 0, DateTimeOffset.MinValue, 0, path));
                    continue;
                }

                long ticks = BinaryPrimitives.ReadInt64LittleEndian(bytes[StartedOffset..]);
                dead.Add(new DeadWriter(
                    writer,
                    BinaryPrimitives.ReadInt64LittleEndian(bytes[CountOffset..]),
                    new DateTimeOffset(Math.Clamp(ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
                    BinaryPrimitives.ReadInt32LittleEndian(bytes[ProcessOffset..]),
                    path));
            }
            catch (IOException)
            {
                // Locked: its writer is alive (or the file just went away).
            }
        }

        return dead;
    }

    /// <summary>Takes the next sequence number: the record's place among those handed to this writer, from 1.</summary>
    public long Next() => _count is null ? Interlocked.Increment(ref _memoryCount) : Interlocked.Increment(ref *_count);

    /// <summary>Closes the journal; <paramref name="delete"/> removes its file, once its final count is stored.</summary>
    public void Close(bool delete)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_view is not null)
        {
            _view.Flush();
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
        if (_file is not null)
        {
            string path = _file.Name;
            _file.Dispose();
            if (delete)
            {
                File.Delete(path);
            }
        }
    }

    public void Dispose() => Close(delete: false);

    /// <summary>The journal of a writer that died: its name, how many records it was handed, when it started, its process id, and the file.</summary>
    internal readonly record struct DeadWriter(string Writer, long HandedOff, DateTimeOffset StartedAt, int ProcessId, string Path);
}
