using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// A real PgBouncer in <b>transaction pooling</b> mode in front of the shared <see cref="PostgresServer"/>, started
/// once for the test run and stopped when the test process exits. It listens on a free loopback port only and keeps
/// at most <see cref="PoolSize"/> server connections per database and user, so every transaction of a client may run
/// on another PostgreSQL session than the one before. Any database of the server is reachable (<c>* =</c>, PgBouncer's
/// auto-database). Clients are let in without a password (<c>auth_type = trust</c>, loopback only) as any role that
/// exists on the server: PgBouncer looks the role up with its <c>auth_query</c> as the admin, then logs in to
/// PostgreSQL as that role, so the least-privilege roles of the tests keep their privileges. With
/// <c>CODE4ME_TEST_DATABASE_URL</c> the admin's password goes into PgBouncer's <c>auth_file</c>; the admin must then read
/// <c>pg_shadow</c> (a superuser) and the server must let PgBouncer log in as the test roles without a password (trust
/// from its address): untried here, where the tests make their own cluster. Run as the <c>postgres</c> system user when the
/// tests run as root (PgBouncer refuses root). If PgBouncer cannot start, the tests fail and say what to install.
/// </summary>
internal sealed class PgBouncerServer
{
    /// <summary>Server connections per database and user: fewer than the writers the tests run at once.</summary>
    public const int PoolSize = 2;

    private const string InstallHint = "Install PgBouncer (Debian/Ubuntu: apt-get install pgbouncer).";
    private static readonly Lazy<Task<PgBouncerServer>> s_shared = new(StartAsync);

    private PgBouncerServer(PostgresServer postgres, int port)
    {
        Postgres = postgres;
        Port = port;
    }

    /// <summary>The PostgreSQL server behind the pooler.</summary>
    public PostgresServer Postgres { get; }

    /// <summary>The loopback TCP port PgBouncer listens on.</summary>
    public int Port { get; }

    public static Task<PgBouncerServer> SharedAsync() => s_shared.Value;

    /// <summary>
    /// The same database and role as <paramref name="directConnectionString"/>, reached through PgBouncer instead: what a
    /// study puts in <c>--database</c>. With <paramref name="noResetOnClose"/> Npgsql sends no <c>DISCARD ALL</c> when a
    /// pooled connection is reused, which would otherwise clear whatever session a transaction left behind (by chance, on
    /// whichever server connection it lands).
    /// </summary>
    public string Through(string directConnectionString, bool noResetOnClose = false) => new NpgsqlConnectionStringBuilder(directConnectionString)
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        NoResetOnClose = noResetOnClose,
    }.ConnectionString;

    private static async Task<PgBouncerServer> StartAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        var binary = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"pgbouncer was not found in /usr/sbin, /usr/bin or /usr/local/bin. {InstallHint}");

        // A port that was free a moment ago can be taken before PgBouncer binds it: then try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var started = await TryStartAsync(binary, postgres.AdminSettings, port);
            if (started is null)
            {
                return new PgBouncerServer(postgres, port);
            }

            if (attempt == 3 || !started.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"PgBouncer could not start on 127.0.0.1:{port}:\n{started}\n{InstallHint}");
            }
        }
    }

    /// <summary>Starts PgBouncer and waits until it says it is up; null then, else what it printed before it exited.</summary>
    private static async Task<string?> TryStartAsync(string binary, NpgsqlConnectionStringBuilder admin, int port)
    {
        var root = Directory.CreateTempSubdirectory("code4me-pgbouncer-").FullName;
        var asRoot = Environment.UserName == "root";
        var config = Path.Combine(root, "pgbouncer.ini");
        var authFile = Path.Combine(root, "userlist.txt");
        var host = admin.Host ?? throw new InvalidOperationException("The test PostgreSQL has no host.");
        await File.WriteAllTextAsync(authFile, $"{Quote(admin.Username ?? "postgres")} {Quote(admin.Password ?? "")}\n");
        await File.WriteAllTextAsync(config, string.Join('\n',
            "[databases]",
            $"* = host={host} port={admin.Port.ToString(CultureInfo.InvariantCulture)}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            $"listen_port = {port.ToString(CultureInfo.InvariantCulture)}",
            "unix_socket_dir =",
            "pool_mode = transaction",
            $"default_pool_size = {PoolSize.ToString(CultureInfo.InvariantCulture)}",
            "min_pool_size = 0",
            "reserve_pool_size = 0",
            "max_client_conn = 500",
            "auth_type = trust",
            $"auth_file = {authFile}",
            $"auth_user = {admin.Username ?? "postgres"}",
            "ignore_startup_parameters = extra_float_digits",
            "") + "\n");
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root]);
        }

        // PgBouncer runs under a shell that reads a pipe from this process: when the test process exits, however it ends,
        // the pipe closes, and the shell stops PgBouncer (SIGTERM: at once) and removes the directory. If PgBouncer exits
        // by itself (it could not start), the shell exits too. (A job started with & reads /dev/null unless told otherwise: fd 3.)
        const string Supervisor =
            "exec 3<&0; \"$1\" \"$2\" </dev/null 3<&- & pid=$!; (cat <&3 >/dev/null; kill -TERM $pid) >/dev/null 2>&1 & wait $pid; rm -rf \"$3\"";
        var start = new ProcessStartInfo(asRoot ? "runuser" : "sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (asRoot ? ["-u", "postgres", "--", "sh"] : Array.Empty<string>()).Concat(["-c", Supervisor, "sh", binary, config, root]))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}. {InstallHint}");
        var up = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new Queue<string>();
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.Enqueue(e.Data);
                if (log.Count > 50)
                {
                    log.Dequeue();
                }
            }

            if (e.Data.Contains("process up:", StringComparison.Ordinal))
            {
                up.TrySetResult(null);
            }
        }

        // PgBouncer logs to stderr in the foreground; read it to the end, or a full pipe would stop it.
        process.ErrorDataReceived += OnLine;
        process.OutputDataReceived += OnLine;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            process.WaitForExit();   // the last lines are read
            lock (log)
            {
                up.TrySetResult(string.Join('\n', log));
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var failure = await up.Task.WaitAsync(TimeoutToken.Create(TimeSpan.FromMinutes(1)));
        if (failure is not null)
        {
            process.StandardInput.Close();   // ends the shell's reader
            TryDelete(root);
            return failure;
        }

        // Closing the pipe early, at a normal exit, is the same signal; the exit of the process would close it anyway.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => process.StandardInput.Close();
        return null;
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory in /tmp is harmless.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // auth_file format: "user" "password", a double quote doubled.
    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TimeoutToken.Create());
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' exited with {process.ExitCode}: {await error}");
        }
    }
}
