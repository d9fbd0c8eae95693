using System.Diagnostics;
using System.Reflection;

namespace AiCostGuard.Tests.Shared;

/// <summary>A worker process launched with <c>dotnet worker.dll args</c>: the test project names its worker in the <c>WorkerAssembly</c> assembly metadata.</summary>
internal sealed class Worker : IDisposable
{
    private static readonly string Assembly = typeof(Worker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WorkerAssembly").Value!;

    private readonly Process _process;

    private Worker(Process process) => _process = process;

    public static Worker Start(params string[] args)
    {
        if (!File.Exists(Assembly))
        {
            throw new FileNotFoundException($"The worker is not built at {Assembly}; build the worker project this test project names.", Assembly);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new Worker(Process.Start(start)!);
    }

    /// <summary>Reads the worker's next line of output, failing with its error output if it exits or takes too long.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        try
        {
            string? line = await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
            return line ?? throw new InvalidOperationException("The worker exited without output: " + await _process.StandardError.ReadToEndAsync());
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker wrote no line within {timeout}.");
        }
    }

    /// <summary>Writes a line to the worker's standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker did not exit within {timeout}.");
        }
    }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
