using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package, installed on first use as redis-server is) in a
/// temporary data directory, on a free loopback port; one per test class. As root, the server runs as the
/// <c>postgres</c> system user, because initdb and postgres refuse to run as root.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly string _root = Directory.CreateTempSubdirectory("aicostguard-pg-").FullName;
    private int _databases;

    public int Port { get; } = FreePort();

    private string DataDirectory => Path.Combine(_root, "data");

    private static string Bin { get; } = FindBinaries();

    /// <summary>Gets the connection string of the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30");

    public async ValueTask InitializeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", "postgres:postgres", _root);
        }

        await RunAsServerUserAsync(Path.Combine(Bin, "initdb"), "-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C");
        await StartAsync();
    }

    /// <summary>Starts the server and returns once it accepts connections (<c>pg_ctl -w</c> waits for that).</summary>
    public Task StartAsync() => RunAsServerUserAsync(
        Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
        "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_root} -c max_connections=200"),
        "start");

    /// <summary>Stops the server at once, without a clean shutdown, as a crash or an outage would.</summary>
    public Task StopAsync() => RunAsServerUserAsync(Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"test_{Interlocked.Increment(ref _databases)}");
        await using var dataSource = NpgsqlDataSource.Create(AdminConnectionString);
        await using NpgsqlCommand create = dataSource.CreateCommand($"CREATE DATABASE {name}");
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await StopAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    private static string FindBinaries()
    {
        string? found = Latest();
        if (found is null)
        {
            // pg_ctlcluster comes with the server (postgresql-common), not with the client alone.
            AiCostGuard.Tests.Shared.DebianPackage.Ensure("pg_ctlcluster", "postgresql");
            found = Latest();
        }

        return found ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: run 'apt-get install -y postgresql' (as .ci/run does).");

        static string? Latest() => Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    private static Task RunAsServerUserAsync(string program, params string[] arguments) =>
        Environment.IsPrivilegedProcess ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
