using System.Diagnostics;
using System.Globalization;
using System.Text;
using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// The PostgreSQL the integration tests run against, shared by the whole test run.
/// With <c>CODE4ME_TEST_DATABASE_URL</c> set (a superuser, or a role with CREATEDB and CREATEROLE),
/// that server is used. Otherwise a throwaway cluster is made with <c>initdb</c> in a temp directory,
/// listening only on a unix socket there with trust authentication, fsync off, run as the
/// <c>postgres</c> system user when the tests run as root, and stopped when the test process exits.
/// A template database is migrated once; <see cref="CreateDatabaseAsync"/> copies it for each test
/// class. If PostgreSQL cannot start, the tests fail and say what to install: nothing is skipped.
/// </summary>
internal sealed class PostgresServer
{
    public const string UrlEnvironmentVariable = "CODE4ME_TEST_DATABASE_URL";
    private const string InstallHint =
        "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) or set CODE4ME_TEST_DATABASE_URL to a server " +
        "where the user may create databases and roles.";

    private static readonly Lazy<Task<PostgresServer>> s_shared = new(StartAsync);
    private readonly SemaphoreSlim _createDatabase = new(1, 1);
    private readonly string _adminConnectionString;
    private readonly string _templateName;
    private readonly LocalCluster.Handle? _cluster;

    private PostgresServer(string adminConnectionString, string templateName, LocalCluster.Handle? cluster = null)
    {
        _adminConnectionString = adminConnectionString;
        _templateName = templateName;
        _cluster = cluster;
    }

    public static Task<PostgresServer> SharedAsync() => s_shared.Value;

    /// <summary>
    /// A server of its own (a new throwaway cluster, migrated template) that the test may stop and start with
    /// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>; never the shared one. Needs local PostgreSQL binaries.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var cluster = await LocalCluster.StartAsync(InstallHint);
        return await CreateAsync(cluster.ConnectionString, isShared: false, cluster);
    }

    /// <summary>Stops this private server (<c>pg_ctl stop -m fast</c>): clients see their connections fail.</summary>
    public Task StopAsync() => LocalCluster.ControlAsync(_cluster ?? throw new InvalidOperationException("Only a private server can be stopped."), "stop");

    /// <summary>Starts this private server again after <see cref="StopAsync"/>.</summary>
    public Task StartAgainAsync() => LocalCluster.ControlAsync(_cluster ?? throw new InvalidOperationException("Only a private server can be started."), "start");

    /// <summary>The admin's connection settings (host or socket directory, port, user, password), for a pooler in front.</summary>
    public NpgsqlConnectionStringBuilder AdminSettings => new(_adminConnectionString);

    /// <summary>A connection string to <paramref name="database"/>, as the admin or as another login role.</summary>
    public string ConnectionString(string database, string? username = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = database };
        if (username is not null)
        {
            builder.Username = username;
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    /// <summary>A fresh database at the latest schema version (a copy of the migrated template).</summary>
    public Task<TestDatabase> CreateDatabaseAsync() => CreateAsync(_templateName);

    /// <summary>A fresh database with no schema at all, for migration tests.</summary>
    public Task<TestDatabase> CreateEmptyDatabaseAsync() => CreateAsync("template0");

    /// <summary>Runs one statement as the admin on the maintenance database.</summary>
    public async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync(TimeoutToken.Create());
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TimeoutToken.Create());
    }

    private async Task<TestDatabase> CreateAsync(string template)
    {
        var name = "c4m_" + Guid.NewGuid().ToString("N")[..16];
        // CREATE DATABASE … TEMPLATE fails while another CREATE copies the same template.
        await _createDatabase.WaitAsync(TimeoutToken.Create());
        try
        {
            await ExecuteAdminAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        }
        finally
        {
            _createDatabase.Release();
        }

        return new TestDatabase(this, name);
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var url = Environment.GetEnvironmentVariable(UrlEnvironmentVariable);
        var cluster = string.IsNullOrWhiteSpace(url) ? await LocalCluster.StartAsync(InstallHint) : null;
        return await CreateAsync(cluster?.ConnectionString ?? DatabaseUrl.ToConnectionString(url!), isShared: !string.IsNullOrWhiteSpace(url), cluster);
    }

    private static async Task<PostgresServer> CreateAsync(string admin, bool isShared, LocalCluster.Handle? cluster)
    {
        // Unique per run, so that runs against a shared server do not collide.
        var server = new PostgresServer(admin, "c4m_template_" + Guid.NewGuid().ToString("N")[..12], cluster);
        try
        {
            await server.ExecuteAdminAsync($"CREATE DATABASE {server._templateName}");
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                $"Cannot use the PostgreSQL server for the tests: {StorageErrors.Describe(e, admin) ?? e.Message} {InstallHint}", e);
        }

        await using (var dataSource = NpgsqlDataSource.Create(server.ConnectionString(server._templateName)))
        {
            await new Migrator(dataSource, MigrationCatalog.Embedded).UpAsync(TimeoutToken.Create(TimeSpan.FromMinutes(2)));
        }

        NpgsqlConnection.ClearAllPools();
        if (isShared)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DropTemplateAtExit();
        }

        return server;
    }

    private void DropTemplateAtExit()
    {
        try
        {
            ExecuteAdminAsync($"DROP DATABASE IF EXISTS {_templateName} WITH (FORCE)").GetAwaiter().GetResult();
        }
        catch (NpgsqlException)
        {
            // Best effort at exit: a leftover template on a shared server is harmless.
        }
    }

    /// <summary>A private cluster in a temp directory.</summary>
    private static class LocalCluster
    {
        /// <summary>What <c>pg_ctl</c> needs to stop and start the cluster again.</summary>
        public sealed record Handle(string Bin, string Data, string Log, string Options, bool AsRoot, string ConnectionString);

        public static async Task ControlAsync(Handle cluster, string action)
        {
            NpgsqlConnection.ClearAllPools();
            string[] args = action == "stop"
                ? ["-D", cluster.Data, "-m", "fast", "-w", "stop"]
                : ["-D", cluster.Data, "-l", cluster.Log, "-w", "-t", "120", "-o", cluster.Options, "start"];
            await RunAsync(Path.Combine(cluster.Bin, "pg_ctl"), args, cluster.AsRoot, InstallHint);
        }

        private const string DirectoryPrefix = "code4me-pg-";

        /// <summary>
        /// The test host may be ended before its exit handler has deleted the cluster's directory; the
        /// server is stopped by then. Directories of earlier runs whose server is gone are removed here.
        /// </summary>
        private static void RemoveStaleDirectories()
        {
            foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
            {
                var pidFile = Path.Combine(dir, "data", "postmaster.pid");
                var running = File.Exists(pidFile)
                    && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && Directory.Exists($"/proc/{pid}");
                if (!running && Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-1))
                {
                    try
                    {
                        Directory.Delete(dir, recursive: true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Someone else's, or in use: leave it.
                    }
                }
            }
        }

        public static async Task<Handle> StartAsync(string installHint)
        {
            var bin = FindBinDirectory()
                ?? throw new InvalidOperationException(
                    $"PostgreSQL's initdb and pg_ctl were not found (tried pg_config --bindir and /usr/lib/postgresql/*/bin). {installHint}");

            RemoveStaleDirectories();
            var root = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
            var data = Path.Combine(root, "data");
            var log = Path.Combine(root, "postgres.log");
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                // initdb refuses to run as root: the cluster belongs to the postgres system user.
                await RunAsync("chown", ["postgres:postgres", root], asRoot: false, installHint);
            }

            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions"],
                asRoot, installHint);
            // Trust on the unix socket only; the server listens on no TCP address at all.
            await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), "local all all trust\n");

            const int Port = 5432; // only names the socket file; no TCP
            var options = $"-k {root} -p {Port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=200";
            try
            {
                await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "120", "-o", options, "start"], asRoot, installHint);
            }
            catch (InvalidOperationException e)
            {
                var tail = File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no log)";
                throw new InvalidOperationException($"{e.Message}\nServer log:\n{tail}", e);
            }

            s_watchdogs.Add(StartWatchdog(bin, data, root, asRoot));
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(bin, data, root, asRoot);
            return new Handle(bin, data, log, options, asRoot, new NpgsqlConnectionStringBuilder
            {
                Host = root,
                Port = Port,
                Username = "postgres",
                Database = "postgres",
                MaxPoolSize = 20,
            }.ConnectionString);
        }

        /// <summary>The watchdogs' stdin pipes stay open while this process lives (a collected writer would close one).</summary>
        private static readonly List<Process> s_watchdogs = [];

        /// <summary>
        /// A shell that reads a pipe from this process and, once it closes, stops the cluster and removes its directory.
        /// The test host is often ended without running its exit handlers (so <see cref="Stop"/> never runs) and every
        /// run used to leave a server behind; a pipe closes however the process ends.
        /// </summary>
        private static Process StartWatchdog(string bin, string data, string root, bool asRoot)
        {
            const string Script = "cat >/dev/null; \"$1\" -D \"$2\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"$3\"";
            var (file, args) = Command("sh", ["-c", Script, "sh", Path.Combine(bin, "pg_ctl"), data, root], asRoot);
            // Its own pipes for output too (it writes nothing), so it holds none of the test host's streams open.
            var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            return Process.Start(start) ?? throw new InvalidOperationException("Could not start the cluster's watchdog shell.");
        }

        private static void Stop(string bin, string data, string root, bool asRoot)
        {
            NpgsqlConnection.ClearAllPools();
            var (file, args) = Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot);
            using (var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true }))
            {
                process?.WaitForExit(30_000);
            }

            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for RemoveStaleDirectories of the next run.
            }
        }

        private static string? FindBinDirectory()
        {
            static bool HasTools(string? dir) =>
                dir is not null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

            try
            {
                using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true });
                var output = process?.StandardOutput.ReadToEnd().Trim();
                process?.WaitForExit();
                if (HasTools(output))
                {
                    return output;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No pg_config on the PATH: look in the Debian layout below.
            }

            const string Debian = "/usr/lib/postgresql";
            if (!Directory.Exists(Debian))
            {
                return null;
            }

            return Directory.GetDirectories(Debian)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: double.TryParse(Path.GetFileName(dir), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => HasTools(x.Dir))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault();
        }

        private static (string File, string[] Args) Command(string file, string[] args, bool asRoot) =>
            asRoot ? ("runuser", ["-u", "postgres", "--", file, .. args]) : (file, args);

        private static async Task RunAsync(string file, string[] args, bool asRoot, string installHint)
        {
            var (command, arguments) = Command(file, args, asRoot);
            var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in arguments)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}. {installHint}");
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(TimeoutToken.Create(TimeSpan.FromMinutes(3)));
            output.Append(await stdout).Append(await stderr);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL could not start: '{command} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {output}\n{installHint}");
            }
        }
    }
}
