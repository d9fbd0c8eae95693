using System.CommandLine;
using System.CommandLine.Invocation;
using AiCostGuard.Cli.Commands;

namespace AiCostGuard.Cli;

/// <summary>Builds the <c>aicostguard</c> command tree; each command lives in its own file under <c>Commands/</c>.</summary>
internal static class CliApplication
{
    /// <summary>Creates the root command, writing results to <paramref name="output"/> and one-line errors to <paramref name="error"/>.</summary>
    public static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("aicostguard: token counts, prices, worst-case quotes and ledger reports for AI model calls.");
        root.Subcommands.Add(CountCommand.Create(output, error));
        root.Subcommands.Add(PriceCommand.Create(output, error));
        root.Subcommands.Add(QuoteCommand.Create(output, error));
        root.Subcommands.Add(ReportCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(ForecastCommand.Create(output, error));
        root.Subcommands.Add(AnomaliesCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse gets its first error as one line and exit code 2.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ParseResult result = CreateRootCommand(output, error).Parse(args);
        if (result.Errors.Count > 0 && result.Action is ParseErrorAction)
        {
            error.WriteLine("error: " + result.Errors[0].Message.ReplaceLineEndings(" "));
            return 2;
        }

        return result.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
