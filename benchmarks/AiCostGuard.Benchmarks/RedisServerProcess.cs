using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiCostGuard.Benchmarks;

/// <summary>A redis-server on a free loopback port, in a temporary directory, without persistence.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aicostguard-bench-redis-").FullName;
    private readonly Process _process;

    public RedisServerProcess()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--save", string.Empty, "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        while (_process.StandardOutput.ReadLine() is { } line)
        {
            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException("redis-server exited before it was ready.");
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
