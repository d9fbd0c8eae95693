namespace AiCostGuard.Cli;

/// <summary>Bad command-line input, reported as a one-line error.</summary>
internal sealed class CliException(string message) : Exception(message);
