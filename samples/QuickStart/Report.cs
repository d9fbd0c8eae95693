using System.Globalization;
using System.Text;
using AiCostGuard;

namespace QuickStart;

/// <summary>Plain-text output for the demo: section headings, ledger records and the cost table.</summary>
internal static class Report
{
    private const int LineWidth = 100;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('=', title.Length));
    }

    public static string Money(decimal? usd) => usd is { } value ? "$" + value.ToString("0.000000", Invariant) : "none";

    public static string Limit(decimal? usd) => usd is { } value ? "$" + value.ToString("0.######", Invariant) : "none";

    public static string Tokens(long count) => count.ToString("N0", Invariant);

    public static string Rate(decimal usdPerMillion) => usdPerMillion.ToString("0.000", Invariant).PadLeft(6);

    /// <summary>Prints text indented and wrapped at word boundaries.</summary>
    public static void Wrapped(string text, string indent = "  ")
    {
        var line = new StringBuilder(indent);
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > LineWidth)
            {
                Console.WriteLine(line);
                line.Clear().Append(indent);
            }

            if (line.Length > indent.Length)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > indent.Length)
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Prints ledger records, one a line.</summary>
    public static void Records(IEnumerable<CostRecord> records)
    {
        foreach (CostRecord record in records)
        {
            string tokens = record.Outcome == CallOutcome.NotSent
                ? string.Create(Invariant, $"in {record.EstimatedInputTokens,5:N0}  estimated, not sent")
                : string.Create(Invariant, $"in {record.InputTokens,5:N0}  cached {record.CachedInputTokens,3:N0}  out {record.OutputTokens,4:N0}");
            string limit = record.LimitKind is { } kind ? $" ({kind})" : string.Empty;
            Console.WriteLine(
                $"  {record.Attribution,-35}  {record.ModelId,-17}  {tokens,-30}  {Money(record.Cost)}  {record.Decision}{limit}");
        }
    }

    /// <summary>Prints the records grouped by team, feature and model, with a total.</summary>
    public static void CostTable(IReadOnlyList<CostRecord> records)
    {
        var rows = records
            .GroupBy(r => (Team: r.Attribution.Team ?? "-", Feature: r.Attribution.Feature ?? "-", Model: r.ModelId ?? "-"))
            .OrderBy(g => g.Key.Team, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Feature, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => Row(g.Key.Team, g.Key.Feature, g.Key.Model, [.. g]))
            .ToList();
        string[] total = Row("total", string.Empty, string.Empty, records);

        string[] header = ["team", "feature", "model", "calls", "input", "cached", "output", "cost (USD)", "decisions"];
        bool[] rightAligned = [false, false, false, true, true, true, true, true, false];
        int[] widths = new int[header.Length];
        foreach (string[] row in rows.Append(header).Append(total))
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        string rule = "  " + string.Join("  ", widths.Select(w => new string('-', w)));
        Print(header);
        Console.WriteLine(rule);
        rows.ForEach(Print);
        Console.WriteLine(rule);
        Print(total);

        void Print(string[] row) =>
            Console.WriteLine(("  " + string.Join("  ", row.Select((cell, i) => rightAligned[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])))).TrimEnd());
    }

    private static string[] Row(string team, string feature, string model, IReadOnlyCollection<CostRecord> records)
    {
        string decisions = string.Join(", ", records
            .GroupBy(r => r.Decision)
            .OrderBy(g => g.Key)
            .Select(g => string.Create(Invariant, $"{g.Count()} {g.Key}")));
        return
        [
            team,
            feature,
            model,
            Tokens(records.Count),
            Tokens(records.Sum(r => r.InputTokens)),
            Tokens(records.Sum(r => r.CachedInputTokens)),
            Tokens(records.Sum(r => r.OutputTokens)),
            records.Sum(r => r.Cost).ToString("0.000000", Invariant),
            decisions,
        ];
    }
}
