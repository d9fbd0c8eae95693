using System.Diagnostics;
using System.Reflection;

namespace AiCostGuard.Tests.Shared;

/// <summary>Runs the built <c>aicostguard</c> tool (src/AiCostGuard.Cli) as a process, as a user would.</summary>
internal static class Cli
{
    private static readonly string Assembly = typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliAssembly").Value!;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return (process.ExitCode, await output, await error);
    }
}
