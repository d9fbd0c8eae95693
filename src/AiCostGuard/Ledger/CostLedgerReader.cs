namespace AiCostGuard;

/// <summary>Reads JSON Lines ledgers written by <see cref="JsonLinesCostLedger"/> (format: <see cref="CostLedgerSchema"/>).</summary>
/// <remarks>A line cut short by a crash, or otherwise unreadable, is skipped and reported in <see cref="LedgerContents.SkippedLines"/>; whole lines are never lost to it. This type is thread-safe.</remarks>
public static class CostLedgerReader
{
    /// <summary>Reads a ledger file, or every <c>*.jsonl</c> file of a directory in name order (rotated files sort by time).</summary>
    /// <param name="path">A file or a directory.</param>
    /// <returns>The records and the skipped lines.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static LedgerContents Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string[] files;
        if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path, "*" + CostLedgerSchema.FileExtension);
            Array.Sort(files, StringComparer.Ordinal);
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new FileNotFoundException($"No ledger file or directory at '{path}'.", path);
        }

        var calls = new List<CostRecord>();
        var outcomes = new List<OutcomeRecord>();
        var envelopeSteps = new List<EnvelopeStep>();
        var skipped = new List<string>();
        foreach (string file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            int lineNumber = 0;
            int start = 0;
            while (start < bytes.Length)
            {
                lineNumber++;
                int end = Array.IndexOf(bytes, (byte)'\n', start);
                bool complete = end >= 0;
                int stop = complete ? end : bytes.Length;
                ReadOnlySpan<byte> line = bytes.AsSpan(start, stop - start);
                start = stop + 1;
                if (line.Trim((byte)' ').Length == 0)
                {
                    continue;
                }

                string? why = complete
                    ? CostLedgerJson.Parse(line, calls, outcomes, envelopeSteps)
                    : "the last line has no line end: it was cut short while being written";
                if (why is not null)
                {
                    skipped.Add($"{file}:{lineNumber}: {why}");
                }
            }
        }

        return new LedgerContents(calls, outcomes, skipped) { EnvelopeSteps = envelopeSteps };
    }
}
