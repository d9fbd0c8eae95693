namespace AiCostGuard.Cli.Commands;

/// <summary>Bad input to a command: reported as one line, never as a stack trace.</summary>
internal sealed class CommandInputException(string message) : Exception(message);
