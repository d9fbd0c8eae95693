using System.Globalization;
using System.Text;
using AiCostGuard;

namespace AgentLoop;

/// <summary>Plain-text output for the demo: headings, the steps of the run and its decisions.</summary>
internal static class Report
{
    private const int LineWidth = 110;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('=', title.Length));
    }

    public static string Money(decimal? usd) => usd is { } value ? "$" + value.ToString("0.000000", Invariant) : "none";

    public static string Tokens(long count) => count.ToString("N0", Invariant);

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

            line.Append(line.Length > indent.Length ? " " : string.Empty).Append(word);
        }

        if (line.Length > indent.Length)
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Prints the ledger's records of the loop: one line per model call or refused tool call.</summary>
    public static void Steps(IEnumerable<CostRecord> records)
    {
        Console.WriteLine("  step  model         asked for  input  output  max out   cost       decision");
        int step = 0;
        foreach (CostRecord r in records)
        {
            if (r.ModelId is null)
            {
                Console.WriteLine($"        tool call refused: {r.RefusalReason}");
                continue;
            }

            step++;
            string asked = r.RequestedModelId ?? r.ModelId;
            string why = r.LimitKind is { } kind ? $" ({kind} of '{r.LimitBudget}')" : string.Empty;
            Console.WriteLine(string.Create(Invariant, $"  {step,4}  {r.ModelId,-12}  {asked,-9}  {r.InputTokens,5:N0}  {r.OutputTokens,6:N0}  {r.MaximumOutputTokens,7:N0}   {Money(r.Cost)}  {r.Decision}{why}"));
        }
    }

    /// <summary>Prints how many calls each decision took.</summary>
    public static void Decisions(IReadOnlyList<CostRecord> records)
    {
        string summary = string.Join(", ", records
            .Where(r => r.ModelId is not null)
            .GroupBy(r => r.Decision)
            .Select(g => string.Create(Invariant, $"{g.Count()} {g.Key}")));
        Console.WriteLine($"  decisions in the ledger: {summary}");
    }
}
