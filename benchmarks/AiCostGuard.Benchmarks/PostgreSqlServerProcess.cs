using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AiCostGuard.Benchmarks;

/// <summary>
/// A PostgreSQL server (Debian's <c>postgresql</c> package) in a temporary data directory on a free loopback port,
/// with its default settings (durable commits included), as the PostgreSQL tests start one. As root it runs as the
/// <c>postgres</c> system user, because initdb and postgres refuse to run as root.
/// </summary>
internal sealed class PostgreSqlServerProcess : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aicostguard-bench-pg-").FullName;

    public PostgreSqlServerProcess()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        if (Environment.IsPrivilegedProcess)
        {
            Run("chown", "postgres:postgres", _root);
        }

        RunAsServerUser(Path.Combine(Bin, "initdb"), "-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C");
        RunAsServerUser(
            Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_root}"),
            "start");
    }

    public int Port { get; }

    /// <summary>Gets the connection string of the server's <c>postgres</c> database.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");

    private static string Bin { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
          ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: apt-get install -y postgresql.")
        : throw new InvalidOperationException("No /usr/lib/postgresql: apt-get install -y postgresql.");

    private string DataDirectory => Path.Combine(_root, "data");

    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        RunAsServerUser(Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "stop");
        Directory.Delete(_root, recursive: true);
    }

    private static void RunAsServerUser(string program, params string[] arguments)
    {
        if (Environment.IsPrivilegedProcess)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        }
    }
}
