using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Debian's PgBouncer in front of a <see cref="ThrowawayCluster"/> (over its unix socket) for the load benchmark: transaction
/// pooling, <c>pool</c> server connections per database and role, up to 2,000 clients on 127.0.0.1, let in without a password
/// as any role the server has (<c>auth_type = trust</c> needs each role in the <c>auth_file</c> or found by <c>auth_query</c>). Runs as the
/// <c>postgres</c> user when the benchmark runs as root; stopped (the process tree killed) on dispose.
/// </summary>
internal sealed class BenchPgBouncer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private BenchPgBouncer(Process process, string root, int port, string version)
    {
        _process = process;
        _root = root;
        Port = port;
        Version = version;
    }

    public int Port { get; }

    public string Version { get; }

    public string Through(NpgsqlConnectionStringBuilder direct) =>
        new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = IPAddress.Loopback.ToString(), Port = Port }.ConnectionString;

    public static async Task<BenchPgBouncer> StartAsync(ThrowawayCluster cluster, int pool)
    {
        var binary = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pgbouncer was not found: apt-get install pgbouncer.");
        var root = Directory.CreateTempSubdirectory("code4me-bench-pgbouncer-").FullName;
        var port = FreePort();
        var socket = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString).Host!;
        var config = Path.Combine(root, "pgbouncer.ini");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            [databases]
            * = host={socket} port=5432
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            pool_mode = transaction
            default_pool_size = {pool}
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 2000
            auth_type = trust
            auth_file = {Path.Combine(root, "userlist.txt")}
            auth_user = postgres
            ignore_startup_parameters = extra_float_digits
            logfile = {Path.Combine(root, "pgbouncer.log")}

            """));
        await File.WriteAllTextAsync(Path.Combine(root, "userlist.txt"), "\"postgres\" \"\"\n");   // the rest are looked up with auth_query as postgres
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Process.Start("chown", ["-R", "postgres:postgres", root])!.WaitForExit();
        }

        var start = new ProcessStartInfo(asRoot ? "runuser" : binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in asRoot ? ["-u", "postgres", "--", binary, config] : new[] { config })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start pgbouncer.");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        var version = (await Process.Start(new ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true })!.StandardOutput.ReadLineAsync() ?? "").Trim();
        return new BenchPgBouncer(process, root, port, version);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
