using System.CommandLine;

namespace AiCostGuard.Cli;

/// <summary>Builds the <c>aicostguard</c> command tree; each command lives in its own file under <c>Commands/</c>.</summary>
internal static class CliApplication
{
    /// <summary>Creates the root command, writing results to <paramref name="output"/> and one-line errors to <paramref name="error"/>.</summary>
    public static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("aicostguard: token counts, prices, worst-case quotes and ledger reports for AI model calls.");
        root.Subcommands.Add(ReportCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        return root;
    }
}
