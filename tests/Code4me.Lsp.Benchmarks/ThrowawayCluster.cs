using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// A private PostgreSQL for the telemetry benchmark: <c>initdb</c> + <c>pg_ctl</c> in a temp directory, unix
/// socket only, trust. Unlike the test cluster it keeps PostgreSQL's durability defaults (fsync on,
/// synchronous_commit on), so the naive one-transaction-per-event way pays its real commit cost.
/// Run as the <c>postgres</c> system user when the benchmark runs as root.
/// </summary>
internal sealed class ThrowawayCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asRoot;

    private readonly string _settings;

    private ThrowawayCluster(string bin, string root, bool asRoot, string settings)
    {
        _settings = settings;
        _bin = bin;
        _root = root;
        _asRoot = asRoot;
    }

    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = _root, Port = 5432, Username = "postgres", Database = "postgres", MaxPoolSize = 20,
    }.ConnectionString;

    /// <summary>Starts a cluster; <paramref name="settings"/> adds server options (e.g. <c>-c max_connections=300</c>).</summary>
    public static async Task<ThrowawayCluster> StartAsync(string settings = "")
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL's initdb was not found under /usr/lib/postgresql: apt-get install postgresql, or pass --database URL.");
        }

        var root = Directory.CreateTempSubdirectory("code4me-bench-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        var cluster = new ThrowawayCluster(bin, root, asRoot, settings);
        if (asRoot)
        {
            await RunAsync("chown", asRoot: false, "postgres:postgres", root);
        }

        var data = Path.Combine(root, "data");
        await RunAsync(Path.Combine(bin, "initdb"), asRoot, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C");
        await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), "local all all trust\n");
        await RunAsync(Path.Combine(bin, "pg_ctl"), asRoot, "-D", data, "-l", Path.Combine(root, "postgres.log"), "-w", "-t", "120",
            "-o", $"-k {root} -p 5432 -c listen_addresses='' -c shared_buffers=256MB -c max_wal_size=4GB {settings}", "start");
        return cluster;
    }

    /// <summary>
    /// Makes every measured phase start from the same state. PostgreSQL's shared memory is mapped lazily: the first
    /// use of each of its pages costs the backend a page fault in the kernel, so the first phase after a start would
    /// pay ~10 µs per event that later phases do not. This touches every shared buffer once (an unlogged table larger
    /// than shared_buffers, stored without compression, then dropped), so no phase pays that first touch.
    /// </summary>
    public async Task PrewarmSharedBuffersAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            CREATE UNLOGGED TABLE c4m_prewarm (filler text);
            ALTER TABLE c4m_prewarm ALTER COLUMN filler SET STORAGE PLAIN;
            -- Four 1800-byte rows fill an 8 KB page: 5 rows per shared buffer make 1.25 times shared_buffers.
            INSERT INTO c4m_prewarm SELECT repeat('x', 1800) FROM generate_series(1, (SELECT setting::int * 5 FROM pg_settings WHERE name = 'shared_buffers'));
            DROP TABLE c4m_prewarm;
            CHECKPOINT;
            """, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <c>CHECKPOINT</c>: writes every dirty buffer out, so the phase measured next does not pay for writing back
    /// what an earlier phase left dirty.
    /// </summary>
    public async Task CheckpointAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Connection string of <paramref name="database"/> on this cluster (as the superuser).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>Stops PostgreSQL at once (<c>pg_ctl stop -m immediate</c>): connections break, as in a crash.</summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), _asRoot, "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop");

    /// <summary>Runs one statement on its own connection with no command timeout (CREATE DATABASE, a migration's worth of DDL).</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Starts PostgreSQL again after <see cref="StopAsync"/>.</summary>
    public Task StartAgainAsync() =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), _asRoot, "-D", Path.Combine(_root, "data"), "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "120",
            "-o", $"-k {_root} -p 5432 -c listen_addresses='' -c shared_buffers=256MB -c max_wal_size=4GB {_settings}", "start");

    /// <summary>
    /// CPU time the cluster has used so far (user + system): the postmaster, its live children (backends, WAL writer,
    /// checkpointer …) and the children it has reaped. Unlike wall time, it hardly moves when other work shares the cores.
    /// </summary>
    public TimeSpan CpuTime()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_root, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;   // the process ended meanwhile
            }

            // Fields after "(comm)": state ppid … utime(14) stime(15) cutime(16) cstime(17), counted from 1.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (pid == postmaster || int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
            {
                ticks += fields.Skip(11).Take(4).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0);   // USER_HZ is 100 on Linux
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_bin, "pg_ctl"), _asRoot, "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop");
        Directory.Delete(_root, recursive: true);
    }

    private static async Task RunAsync(string file, bool asRoot, params string[] args)
    {
        var start = new ProcessStartInfo(asRoot ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in asRoot ? ["-u", "postgres", "--", file, .. args] : args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}
