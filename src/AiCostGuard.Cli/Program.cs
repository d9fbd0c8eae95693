using System.CommandLine;
using AiCostGuard.Cli;

RootCommand root = CliApplication.CreateRootCommand(Console.Out, Console.Error);
return await root.Parse(args).InvokeAsync();
