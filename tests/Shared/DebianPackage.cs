using System.Diagnostics;

namespace AiCostGuard.Tests.Shared;

/// <summary>
/// Finds a program the tests drive for real (redis-server, Chromium) and, on a fresh Debian machine where it is
/// missing and the tests run as root, installs its package — so that <c>dotnet test</c> alone sets up what it needs.
/// </summary>
internal static class DebianPackage
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly Lock Sync = new();

    /// <summary>Returns the full path of <paramref name="command"/>, installing <paramref name="package"/> first if it is missing.</summary>
    /// <exception cref="InvalidOperationException">The program is missing and cannot be installed here; the message says how to install it.</exception>
    public static string Ensure(string command, string package)
    {
        lock (Sync)
        {
            if (Find(command) is { } found)
            {
                return found;
            }

            string howTo = $"'{command}' is needed by these tests and is not installed: run 'apt-get install -y {package}' (as .ci/run does).";
            if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || Find("apt-get") is not { } aptGet)
            {
                throw new InvalidOperationException(howTo);
            }

            // Test projects run in parallel: wait for another installer's dpkg lock instead of failing on it.
            Run(aptGet, "-o", "DPkg::Lock::Timeout=600", "update");
            Run(aptGet, "-o", "DPkg::Lock::Timeout=600", "install", "-y", package);
            return Find(command) ?? throw new InvalidOperationException(howTo + " Installing it did not put it on PATH.");
        }
    }

    private static string? Find(string command)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(InstallTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {InstallTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output.Result}\n{error.Result}");
        }
    }
}
