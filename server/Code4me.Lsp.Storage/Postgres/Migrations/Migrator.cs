using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// Applies and reverts the <see cref="MigrationCatalog"/> against one database.
/// <list type="bullet">
/// <item>Each migration runs in its own transaction together with its <c>schema_migrations</c> row,
/// so a failing script leaves nothing of itself behind.</item>
/// <item><c>up</c> and <c>down</c> hold a session-level <c>pg_advisory_lock</c> for their whole run, so two
/// servers (or two <c>migrate up</c>) starting at once apply each migration exactly once.</item>
/// <item>They refuse a connection through a pooler such as PgBouncer (<see cref="RefusePoolerAsync"/>): in transaction
/// pooling mode the session-level lock would stay behind on whichever server connection took it, and the scripts'
/// transactions could run on other sessions than the one holding it.</item>
/// <item>The checksum of every applied migration is compared with this executable's script before
/// anything runs: an edited migration, or a database newer than this executable, is refused.</item>
/// </list>
/// </summary>
internal sealed class Migrator(NpgsqlDataSource dataSource, MigrationCatalog catalog)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public Migrator(StorageDatabase database, MigrationCatalog catalog)
        : this(database.DataSource, catalog)
    {
    }

    /// <summary>The advisory lock key: the bytes of "Code4me1". Advisory locks are per database.</summary>
    internal const long LockKey = 0x436F_6465_346D_6531;

    private const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private const string TableExistsSql = """
        SELECT to_regclass('schema_migrations') IS NOT NULL
        """;

    private const string SelectAppliedSql = """
        SELECT version, name, checksum, applied_at AS AppliedAt
        FROM schema_migrations
        ORDER BY version
        """;

    private const string InsertAppliedSql = """
        INSERT INTO schema_migrations (version, name, checksum)
        VALUES (@Version, @Name, @Checksum)
        """;

    private const string DeleteAppliedSql = """
        DELETE FROM schema_migrations WHERE version = @Version
        """;

    private const string LockSql = """
        SELECT pg_advisory_lock(@Key)
        """;

    private const string UnlockSql = """
        SELECT pg_advisory_unlock(@Key)
        """;

    /// <summary>What <c>up</c> and <c>down</c> say through a pooler.</summary>
    internal const string PoolerMessage =
        "migrate needs a direct connection to PostgreSQL, not a pooler (PgBouncer in transaction mode): point --database at the server itself";

    public MigrationCatalog Catalog => catalog;

    /// <summary>Applies every pending migration, in order.</summary>
    public Task<MigrationRun> UpAsync(CancellationToken cancellationToken) =>
        RunLockedAsync(
            applied =>
            {
                var current = applied.Count == 0 ? 0 : applied[^1].Version;
                return catalog.Migrations.Where(m => m.Version > current).ToList();
            },
            up: true,
            cancellationToken);

    /// <summary>Reverts every applied migration above <paramref name="targetVersion"/>, newest first; 0 removes everything.</summary>
    public Task<MigrationRun> DownAsync(int targetVersion, CancellationToken cancellationToken)
    {
        if (targetVersion < 0 || targetVersion > catalog.LatestVersion)
        {
            throw new MigrationException(
                $"Cannot migrate down to version {targetVersion}: choose a version from 0 (remove everything) to {catalog.LatestVersion}.");
        }

        return RunLockedAsync(
            applied => [.. catalog.Migrations.Where(m => m.Version > targetVersion && applied.Any(a => a.Version == m.Version)).Reverse()],
            up: false,
            cancellationToken,
            removeBookkeeping: targetVersion == 0);
    }

    /// <summary>Reads the state of every migration without changing anything (no lock, no table created).</summary>
    public async Task<MigrationStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var applied = await ReadAppliedAsync(connection, cancellationToken);
        var entries = new List<MigrationStatusEntry>();
        foreach (var migration in catalog.Migrations)
        {
            var row = applied.FirstOrDefault(a => a.Version == migration.Version);
            var state = row is null ? MigrationState.Pending
                : row.Checksum == migration.Checksum ? MigrationState.Applied
                : MigrationState.Changed;
            entries.Add(new MigrationStatusEntry(migration.Version, migration.Name, state, row?.AppliedAt));
        }

        entries.AddRange(applied
            .Where(a => a.Version > catalog.LatestVersion)
            .Select(a => new MigrationStatusEntry(a.Version, a.Name, MigrationState.Unknown, a.AppliedAt)));
        return new MigrationStatus(CurrentVersion(applied), catalog.LatestVersion, entries);
    }

    // removeBookkeeping (down 0): once no migration is applied, schema_migrations goes too, so the database holds nothing of ours.
    private async Task<MigrationRun> RunLockedAsync(
        Func<IReadOnlyList<AppliedMigration>, IReadOnlyList<Migration>> plan,
        bool up,
        CancellationToken cancellationToken,
        bool removeBookkeeping = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var notices = new List<string>();
        connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        await RefusePoolerAsync(connection, cancellationToken);

        await connection.ExecuteAsync(LockSql, null, cancellationToken, Param("Key", LockKey));
        try
        {
            await connection.ExecuteAsync(CreateTableSql, null, cancellationToken);
            notices.Clear(); // "already exists, skipping": only the scripts' notices are of interest
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            Verify(applied);

            var from = CurrentVersion(applied);
            var migrations = plan(applied);
            foreach (var migration in migrations)
            {
                await RunOneAsync(connection, migration, up, cancellationToken);
            }

            var to = migrations.Count == 0 ? from
                : up ? migrations[^1].Version
                : migrations[^1].Version - 1;
            if (removeBookkeeping && to == 0)
            {
                await connection.ExecuteAsync("DROP TABLE IF EXISTS schema_migrations", null, cancellationToken);
            }

            return new MigrationRun(from, to, migrations, notices);
        }
        finally
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                // Not the caller's token: the lock must be released even when the run was cancelled.
                await connection.ExecuteAsync(UnlockSql, null, CancellationToken.None, Param("Key", LockKey));
            }
        }
    }

    /// <summary>
    /// Throws <see cref="MigrationException"/> unless <paramref name="connection"/> is a session of PostgreSQL itself. The
    /// process id a server announces when a connection starts (BackendKeyData, for cancelling) is, from PostgreSQL, the pid
    /// of the backend that serves the connection; a pooler announces one of its own (PgBouncer: random), because the
    /// client's statements may run on any of its server connections. A plain TCP proxy or port forward passes PostgreSQL's through.
    /// </summary>
    private static async Task RefusePoolerAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var backend = await connection.ScalarAsync<int>("SELECT pg_backend_pid()", null, cancellationToken);
        if (backend != connection.ProcessID)
        {
            throw new MigrationException(PoolerMessage);
        }
    }

    private static async Task RunOneAsync(NpgsqlConnection connection, Migration migration, bool up, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var command = new NpgsqlCommand(up ? migration.UpSql : migration.DownSql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await (up
                ? connection.ExecuteAsync(InsertAppliedSql, transaction, cancellationToken,
                    Param("Version", migration.Version), Param("Name", migration.FullName), Param("Checksum", migration.Checksum))
                : connection.ExecuteAsync(DeleteAppliedSql, transaction, cancellationToken, Param("Version", migration.Version)));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"Migration {migration.FullName} ({(up ? "up" : "down")}) failed and was rolled back, nothing of it is applied: " +
                $"{e.SqlState}: {e.MessageText}{(e.Position > 0 ? $" (at character {e.Position} of the script)" : "")}",
                e);
        }
    }

    private void Verify(IReadOnlyList<AppliedMigration> applied)
    {
        var current = CurrentVersion(applied);
        if (current > catalog.LatestVersion)
        {
            throw new MigrationException(
                $"The database is at schema version {current}, but this code4me-lsp only knows versions up to {catalog.LatestVersion}. " +
                "It was migrated by a newer code4me-lsp: upgrade this one, or migrate down with the newer one.");
        }

        foreach (var row in applied)
        {
            var known = catalog.Migrations[row.Version - 1];
            if (row.Checksum != known.Checksum)
            {
                throw new MigrationException(
                    $"Migration {known.FullName} was applied with checksum {row.Checksum[..12]}…, but this code4me-lsp has a " +
                    $"different script (checksum {known.Checksum[..12]}…). An applied migration must never be edited: restore it " +
                    "and put the change in a new migration.");
            }
        }

        for (var i = 0; i < applied.Count; i++)
        {
            if (applied[i].Version != i + 1)
            {
                throw new MigrationException(
                    $"schema_migrations is inconsistent: version {i + 1} is missing while {applied[i].Version} is applied. Repair the table by hand.");
            }
        }
    }

    private static int CurrentVersion(IReadOnlyList<AppliedMigration> applied) => applied.Count == 0 ? 0 : applied.Max(a => a.Version);

    private static async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ScalarAsync<bool>(TableExistsSql, null, cancellationToken);
        if (!exists)
        {
            return [];
        }

        return await connection.QueryAsync(
            SelectAppliedSql, r => new AppliedMigration(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetDateTime(3)), null, cancellationToken);
    }

    private sealed record AppliedMigration(int Version, string Name, string Checksum, DateTime AppliedAt);
}
