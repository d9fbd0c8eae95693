using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using AiCostGuard.Cli.Commands;

namespace AiCostGuard.Cli;

/// <summary>
/// Builds the <c>aicostguard</c> command tree (each command lives in its own file under <c>Commands/</c>) and runs it
/// with one error convention: bad input is one line <c>error: ...</c> on the error writer, without usage text, and a
/// non-zero exit code (2 for a command line that does not parse, 1 for input a command refuses); never a stack trace.
/// </summary>
internal static class CliApplication
{
    // Response files (@file) are off: a value such as a model id or a tag that starts with @ is taken as it is.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    /// <summary>Creates the root command, writing results to <paramref name="output"/> and one-line errors to <paramref name="error"/>.</summary>
    public static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("aicostguard: token counts, prices, worst-case quotes and ledger reports for AI model calls.");
        root.Subcommands.Add(CountCommand.Create(output, error));
        root.Subcommands.Add(PriceCommand.Create(output, error));
        root.Subcommands.Add(QuoteCommand.Create(output, error));
        root.Subcommands.Add(ReportCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(ReconcileCommand.Create(output, error));
        root.Subcommands.Add(ForecastCommand.Create(output, error));
        root.Subcommands.Add(AnomaliesCommand.Create(output, error));
        root.Subcommands.Add(WritersCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> with the process's standard input.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, Console.OpenStandardInput(), output, error);

    /// <summary>Parses and runs <paramref name="args"/>; a file option given as <c>-</c> reads <paramref name="input"/>.</summary>
    public static int Run(string[] args, Stream input, TextWriter output, TextWriter error)
    {
        try
        {
            ParseResult result = CreateRootCommand(output, error).Parse(args, Parsing);
            if (result.Errors.Count > 0 && result.Action is ParseErrorAction)
            {
                error.WriteLine("error: " + TerminalText.Clean(result.Errors[0].Message.ReplaceLineEndings(" ")));
                return CommandOutput.UsageError;
            }

            // The parser lets an option given twice through when one of them has no value (--input 5 --input --): one
            // value wins silently. Every option of the tool takes one value, so a repeat is an error.
            if (result.Tokens.Where(t => t.Type == TokenType.Option).GroupBy(t => t.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                error.WriteLine("error: " + TerminalText.Clean(repeated.Key) + " is given more than once.");
                return CommandOutput.UsageError;
            }

            var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return CommandFiles.WithStandardInput(input, () => result.Invoke(invocation));
        }
        catch (Exception e) when (CommandOutput.IsInputError(e))
        {
            return CommandOutput.Fail(error, e.Message);
        }
        catch (Exception e)
        {
            // A defect, not the input's fault: still one line (the type says where to look), and a distinct exit code.
            error.WriteLine("error: internal error (" + e.GetType().Name + "): " + TerminalText.Clean(e.Message.ReplaceLineEndings(" ")));
            return CommandOutput.InternalError;
        }
    }
}
